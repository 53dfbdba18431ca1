/**
 * The platform table is the one declaration of platform ids: the probe's
 * detection, the presets, the templates and the settings schemas must all
 * agree with it.
 */
import * as fs from 'fs';
import * as path from 'path';
import { PLATFORM_IDS, PLATFORM_TABLE } from '../platforms';
import { PRESETS } from '../countdown/presets';
import { PLATFORMS as TEMPLATE_PLATFORMS } from '../templates/settings';
import { buildCatalog } from '../templates/catalog';
import { BUILTIN_TEMPLATES } from '../templates/builtin/sourceLanguage';

const ROOT = path.resolve(__dirname, '..', '..');

function schemaEnum(file: string, property: string): string[] {
  const schema = JSON.parse(
    fs.readFileSync(path.join(ROOT, 'schema', file), 'utf8')
  );
  return schema.properties[property].enum;
}

describe('the platform table', () => {
  it('has the ids the probe detects, in the order it tests for them', () => {
    const probe = fs.readFileSync(
      path.join(ROOT, 'jupyterlab_gpu_session', 'probe.py'),
      'utf8'
    );
    const detect = probe.slice(
      probe.indexOf('def _detect('),
      probe.indexOf('\ndef ', probe.indexOf('def _detect(') + 1)
    );
    const ids = Array.from(detect.matchAll(/return \(?"([a-z-]+)"/g)).map(
      m => m[1]
    );
    expect([...new Set(ids)]).toEqual(PLATFORM_IDS);
  });

  it('gives every platform a preset, and the countdown schema lists them all', () => {
    expect(PLATFORM_TABLE.every(p => p.presets.length > 0)).toBe(true);
    expect(schemaEnum('countdown.json', 'preset')).toEqual([
      'auto',
      'custom',
      ...PRESETS.map(p => p.id)
    ]);
  });

  it('is what the templates and their schema offer', () => {
    expect([...TEMPLATE_PLATFORMS]).toEqual(PLATFORM_IDS);
    expect(schemaEnum('templates.json', 'platform')).toEqual([
      'auto',
      ...PLATFORM_IDS
    ]);
  });

  it('names storage variants the drive-mount template has', () => {
    const driveMount = buildCatalog([], BUILTIN_TEMPLATES).templates.find(
      t => t.id === 'drive-mount'
    )!;
    const variant = driveMount.variables!.find(v => v.name === 'variant')!;
    for (const platform of PLATFORM_TABLE) {
      expect(variant.choices).toContain(platform.storageVariant);
    }
  });
});
