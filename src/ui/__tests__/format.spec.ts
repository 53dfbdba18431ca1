import {
  formatBytes,
  formatDuration,
  formatNumber,
  formatPercent,
  percentOf
} from '../format';

describe('format', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1536, '1.5 KiB'],
    [15360 * 1024 ** 2, '15.0 GiB'],
    [150 * 1024 ** 3, '150 GiB'],
    [null, '–'],
    [NaN, '–']
  ])('formatBytes(%p) = %p', (value, text) => {
    expect(formatBytes(value)).toBe(text);
  });

  it('formats percent, numbers and durations', () => {
    expect(formatPercent(42.6)).toBe('43%');
    expect(formatPercent(null)).toBe('–');
    expect(formatNumber(1.234, ' W', 1)).toBe('1.2 W');
    expect(formatNumber(null, ' W')).toBe('–');
  });

  it.each([
    [7500_000, 'second', '2h 05m'],
    [7200_000, 'second', '2h'],
    [250_000, 'second', '4m 10s'],
    [600_000, 'second', '10m'],
    [30_000, 'second', '30s'],
    [-3000, 'second', '0s'],
    [NaN, 'second', '0s'],
    [30_000, 'minute', '<1m'],
    [45 * 60_000 + 59_000, 'minute', '45m'],
    [120 * 60_000, 'minute', '2h'],
    [125 * 60_000 + 30_000, 'minute', '2h 05m']
  ] as const)('formatDuration(%p, %p) = %p', (ms, resolution, text) => {
    expect(formatDuration(ms, resolution)).toBe(text);
  });

  it('computes a share only when both numbers are known', () => {
    expect(percentOf(1, 4)).toBe(25);
    expect(percentOf(null, 4)).toBeNull();
    expect(percentOf(1, 0)).toBeNull();
  });
});
