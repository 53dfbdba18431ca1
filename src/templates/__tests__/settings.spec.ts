import {
  DEFAULT_TEMPLATE_SETTINGS,
  effectivePlatform,
  readTemplateSettings
} from '../settings';

describe('readTemplateSettings', () => {
  it('gives the defaults for empty settings, without problems', () => {
    expect(readTemplateSettings({})).toEqual({
      settings: DEFAULT_TEMPLATE_SETTINGS,
      problems: []
    });
  });

  it('keeps good values, user templates unchecked', () => {
    const templates = [{ id: 'mine' }, 42];
    const { settings, problems } = readTemplateSettings({
      platform: 'kaggle',
      defaults: { 'gpu-check': { matrix_size: 512 } },
      templates
    });
    expect(problems).toEqual([]);
    expect(settings).toEqual({
      platform: 'kaggle',
      defaults: { 'gpu-check': { matrix_size: 512 } },
      templates
    });
  });

  it('falls back and names each bad setting', () => {
    const { settings, problems } = readTemplateSettings({
      platform: 'mars',
      defaults: { 'gpu-check': 3 },
      templates: { id: 'not-a-list' }
    });
    expect(settings).toEqual(DEFAULT_TEMPLATE_SETTINGS);
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/^platform must be one of auto, colab/);
    expect(problems[1]).toMatch(/^defaults /);
    expect(problems[2]).toMatch(/^templates /);
  });
});

describe('effectivePlatform', () => {
  it('takes the setting unless it is auto', () => {
    expect(effectivePlatform('kaggle', 'colab')).toBe('kaggle');
    expect(effectivePlatform('auto', 'colab')).toBe('colab');
    expect(effectivePlatform('auto', null)).toBe('generic');
    expect(effectivePlatform(undefined, null)).toBe('generic');
  });
});
