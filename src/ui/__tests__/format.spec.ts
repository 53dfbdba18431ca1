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
    expect(formatDuration(7500)).toBe('2h 05m');
    expect(formatDuration(250)).toBe('4m 10s');
    expect(formatDuration(-3)).toBe('0s');
  });

  it('computes a share only when both numbers are known', () => {
    expect(percentOf(1, 4)).toBe(25);
    expect(percentOf(null, 4)).toBeNull();
    expect(percentOf(1, 0)).toBeNull();
  });
});
