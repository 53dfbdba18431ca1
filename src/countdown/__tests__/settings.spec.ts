import { DEFAULT_COUNTDOWN_SETTINGS, readCountdownSettings } from '../settings';

describe('readCountdownSettings', () => {
  it('gives the schema defaults for an empty object', () => {
    expect(readCountdownSettings({})).toEqual({
      settings: DEFAULT_COUNTDOWN_SETTINGS,
      problems: []
    });
    expect(DEFAULT_COUNTDOWN_SETTINGS.warningMinutes).toEqual([60, 15, 5]);
  });

  it('falls back per key on a wrong type and names the key', () => {
    const { settings, problems } = readCountdownSettings({
      preset: 'colab-ultra',
      lifetimeMinutes: '3h',
      idleTimeoutMinutes: 90,
      warningMinutes: ['soon'],
      checkpointGlobs: ['~/ckpt/*.pt', '  ']
    });
    expect(problems.map(p => p.key)).toEqual([
      'preset',
      'lifetimeMinutes',
      'warningMinutes'
    ]);
    expect(problems[0].choices).toContain('colab-free');
    expect(settings.preset).toBe('auto');
    expect(settings.lifetimeMinutes).toBeNull();
    expect(settings.idleTimeoutMinutes).toBe(90);
    expect(settings.warningMinutes).toEqual([60, 15, 5]);
    expect(settings.checkpointGlobs).toEqual(['~/ckpt/*.pt']);
  });
});
