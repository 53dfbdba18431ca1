/**
 * Every schema in schema/ against the code that reads it: with no user
 * settings, each feature uses exactly what the registry composes from the
 * schema's defaults.
 */
import {
  DEFAULT_CHECKPOINT_SETTINGS,
  readCheckpointSettings
} from '../../checkpoint/settings';
import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import {
  DefaultSchemaValidator,
  ISettingRegistry
} from '@jupyterlab/settingregistry';
import { PRESETS } from '../../countdown/presets';
import {
  DEFAULT_COUNTDOWN_SETTINGS,
  readCountdownSettings
} from '../../countdown/settings';
import {
  DEFAULT_MONITOR_SETTINGS,
  readMonitorSettings
} from '../../monitor/settings';
import { buildCatalog } from '../../templates/catalog';
import { effectivePlatform } from '../../templates/settings';
import {
  DEFAULT_WARNINGS_SETTINGS,
  readWarningsSettings
} from '../../warnings/settings';
import { Composite, schemaDefaults } from '../reader';
import { BUILTIN_TEMPLATES } from '../../templates/builtin/sourceLanguage';

const DIR = join(__dirname, '..', '..', '..', 'schema');
const FILES = readdirSync(DIR).filter(name => name.endsWith('.json'));

/** What the registry composes for `name` with no user settings. */
function composite(name: string): Composite {
  const schema = JSON.parse(readFileSync(join(DIR, name), 'utf8'));
  const plugin: ISettingRegistry.IPlugin = {
    id: `jupyterlab-gpu-session:${name.replace(/\.json$/, '')}`,
    schema,
    raw: '{}',
    version: 'test',
    data: { composite: {}, user: {} }
  };
  const errors = new DefaultSchemaValidator().validateData(plugin);
  expect(errors).toBeNull();
  return plugin.data.composite;
}

function schemaOf(name: string) {
  return JSON.parse(readFileSync(join(DIR, name), 'utf8'));
}

describe('schema files', () => {
  it('are all checked here', () => {
    expect(FILES.sort()).toEqual([
      'checkpoint.json',
      'countdown.json',
      'monitor.json',
      'sidebar.json',
      'templates.json',
      'warnings.json'
    ]);
  });

  it.each(FILES)(
    '%s is accepted by the registry and its defaults pass it',
    name => {
      const composed = composite(name);
      // The defaults the code derives are the registry's own.
      expect(schemaDefaults(schemaOf(name))).toEqual(composed);
    }
  );

  it.each(FILES)('%s gives every setting a title', name => {
    const walk = (properties: { [key: string]: { title?: string } }) => {
      for (const [key, node] of Object.entries(properties)) {
        expect([key, typeof node.title]).toEqual([key, 'string']);
        const nested = (node as { properties?: typeof properties }).properties;
        if (nested) {
          walk(nested);
        }
      }
    };
    walk(schemaOf(name).properties ?? {});
  });

  it('warnings: the code uses exactly the schema defaults', () => {
    const composed = composite('warnings.json');
    expect(DEFAULT_WARNINGS_SETTINGS).toEqual(composed);
    expect(readWarningsSettings(composed)).toEqual({
      settings: composed,
      problems: []
    });
  });

  it('countdown: the code uses exactly the schema defaults', () => {
    const composed = composite('countdown.json');
    expect(DEFAULT_COUNTDOWN_SETTINGS).toEqual(composed);
    expect(readCountdownSettings(composed)).toEqual({
      settings: composed,
      problems: []
    });
  });

  it('checkpoint: the code uses exactly the schema defaults', () => {
    const composed = composite('checkpoint.json');
    const fromSchema = {
      leadMs: Number(composed.leadMinutes) * 60_000,
      onIdleWarning: composed.onIdleWarning,
      onInterruption: composed.onInterruption,
      answerMs: Number(composed.answerMinutes) * 60_000
    };
    expect(Object.keys(composed).sort()).toEqual([
      'answerMinutes',
      'leadMinutes',
      'onIdleWarning',
      'onInterruption'
    ]);
    expect(DEFAULT_CHECKPOINT_SETTINGS).toEqual(fromSchema);
    expect(readCheckpointSettings(composed)).toEqual({
      settings: fromSchema,
      problems: []
    });
  });

  it('countdown: the preset choices are the presets of the code', () => {
    expect(schemaOf('countdown.json').properties.preset.enum.sort()).toEqual(
      ['auto', 'custom', ...PRESETS.map(p => p.id)].sort()
    );
  });

  it('monitor: the code uses exactly the schema defaults', () => {
    const composed = composite('monitor.json');
    // Each schema key, as the monitor's settings hold it.
    const expected: { [key: string]: [string, unknown] } = {
      pollIntervalSeconds: [
        'intervalMs',
        Number(composed.pollIntervalSeconds) * 1000
      ],
      requestTimeoutSeconds: [
        'timeoutMs',
        Number(composed.requestTimeoutSeconds) * 1000
      ],
      gpuSource: ['gpuSource', composed.gpuSource],
      nvidiaSmiPath: ['nvidiaSmiPath', composed.nvidiaSmiPath],
      diskPaths: ['diskPaths', composed.diskPaths],
      idlePauseMinutes: [
        'idlePauseMs',
        Number(composed.idlePauseMinutes) * 60_000
      ],
      hiddenBusyIntervalSeconds: [
        'hiddenBusyIntervalMs',
        Number(composed.hiddenBusyIntervalSeconds) * 1000
      ],
      quietAfterSeconds: [
        'quietAfterMs',
        Number(composed.quietAfterSeconds) * 1000
      ],
      quietIntervalSeconds: [
        'quietIntervalMs',
        Number(composed.quietIntervalSeconds) * 1000
      ],
      transport: ['transport', composed.transport],
      monitorKernelWithoutNotebook: [
        'monitorKernelWithoutNotebook',
        composed.monitorKernelWithoutNotebook
      ]
    };
    // A new monitor setting needs its line above.
    expect(Object.keys(composed).sort()).toEqual(Object.keys(expected).sort());
    const fromSchema = Object.fromEntries(Object.values(expected));
    expect(DEFAULT_MONITOR_SETTINGS).toEqual(fromSchema);
    const read = readMonitorSettings(composed);
    expect(read.settings).toEqual(fromSchema);
    expect(read.problems).toEqual([]);
  });

  it('templates: the defaults read as no settings at all', () => {
    const composed = composite('templates.json');
    expect(effectivePlatform(composed.platform, 'colab')).toBe(
      effectivePlatform(undefined, 'colab')
    );
    expect(composed.defaults).toEqual({});
    const catalog = buildCatalog(composed.templates, BUILTIN_TEMPLATES);
    expect(catalog.problems).toEqual([]);
    expect(catalog.templates).toHaveLength(BUILTIN_TEMPLATES.length);
  });

  it('sidebar: has no settings', () => {
    expect(composite('sidebar.json')).toEqual({});
  });
});
