import {
  DEFAULT_WARNINGS_SETTINGS,
  longestWindowMs,
  readWarningsSettings,
  shortestWindowMs
} from '../settings';

describe('readWarningsSettings', () => {
  it('gives the defaults for an empty object', () => {
    expect(readWarningsSettings({})).toEqual({
      settings: DEFAULT_WARNINGS_SETTINGS,
      problems: []
    });
  });

  it('takes what the registry composed', () => {
    const { settings, problems } = readWarningsSettings({
      gpuIdle: {
        enabled: true,
        utilizationPercent: 5,
        memoryPercent: 10,
        minutes: 0.1
      },
      hourlyPrice: 1.2
    });
    expect(settings.gpuIdle.memoryPercent).toBe(10);
    expect(settings.gpuIdle.minutes).toBe(0.1);
    expect(settings.hourlyPrice).toBe(1.2);
    expect(problems).toEqual([]);
  });

  it('falls back per key on a wrong type and names the key', () => {
    const { settings, problems } = readWarningsSettings({
      gpuIdle: { minutes: 'long', memoryPercent: 10 },
      diskFull: 'no',
      hourlyPrice: 'cheap',
      currency: '€'
    });
    expect(settings.gpuIdle).toEqual({
      ...DEFAULT_WARNINGS_SETTINGS.gpuIdle,
      memoryPercent: 10
    });
    expect(settings.diskFull).toEqual(DEFAULT_WARNINGS_SETTINGS.diskFull);
    expect(settings.hourlyPrice).toBeNull();
    expect(settings.currency).toBe('€');
    expect(problems.map(p => [p.key, p.expected, p.fallback])).toEqual([
      ['diskFull', 'object', DEFAULT_WARNINGS_SETTINGS.diskFull],
      ['hourlyPrice', 'number or null', null],
      ['gpuIdle.minutes', 'number', 15]
    ]);
  });

  it('sizes the rule windows from the enabled rules', () => {
    const s = DEFAULT_WARNINGS_SETTINGS;
    expect(longestWindowMs(s)).toBe(30 * 60_000);
    expect(shortestWindowMs(s)).toBe(15 * 60_000);
    const off = {
      ...s,
      gpuIdle: { ...s.gpuIdle, enabled: false },
      ramUnused: { ...s.ramUnused, enabled: false }
    };
    expect(longestWindowMs(off)).toBe(60_000);
    expect(shortestWindowMs(off)).toBe(60_000);
  });
});
