import { buildCatalog } from '../catalog';
import { initialValues } from '../values';
import { BUILTIN_TEMPLATES } from '../builtin/sourceLanguage';

const driveMount = buildCatalog([], BUILTIN_TEMPLATES).templates.find(
  t => t.id === 'drive-mount'
)!;

describe('initialValues', () => {
  it('uses the template defaults and the platform', () => {
    const values = initialValues(driveMount, { platform: 'colab' });
    expect(values.variant).toBe('colab');
    expect(values.timeout_seconds).toBe('120');
  });

  it('ignores a platform that is not a choice', () => {
    expect(initialValues(driveMount, { platform: 'slurm' }).variant).toBe(
      'generic'
    );
  });

  it('prefers remembered values, then settings', () => {
    const values = initialValues(driveMount, {
      platform: 'generic',
      remembered: { values: { folder: 'last' }, platform: 'generic' },
      settings: { folder: 'from-settings', timeout_seconds: 30 }
    });
    expect(values.folder).toBe('last');
    expect(values.timeout_seconds).toBe('30');
  });

  it('skips invalid values', () => {
    const values = initialValues(driveMount, {
      platform: 'generic',
      remembered: { values: { timeout_seconds: 'soon' }, platform: 'generic' },
      settings: { timeout_seconds: 1 }
    });
    expect(values.timeout_seconds).toBe('120');
  });

  it('lets the platform win over a variant remembered elsewhere', () => {
    const remembered = { values: { variant: 'rclone' }, platform: 'generic' };
    expect(
      initialValues(driveMount, { platform: 'kaggle', remembered }).variant
    ).toBe('kaggle');
    expect(
      initialValues(driveMount, { platform: 'generic', remembered }).variant
    ).toBe('rclone');
  });
});
