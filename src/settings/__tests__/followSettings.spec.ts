import { Notification } from '@jupyterlab/apputils';
import { nullTranslator } from '@jupyterlab/translation';
import schema from '../../../schema/warnings.json';
import {
  DEFAULT_WARNINGS_SETTINGS,
  IWarningsSettings,
  readWarningsSettings
} from '../../warnings/settings';
import { followSettings } from '../followSettings';
import { makeRegistry } from './registry';

const ID = 'jupyterlab-gpu-session:warnings';
const trans = nullTranslator.load('jupyterlab_gpu_session');

/** Follow the warnings settings of `registry`; resolves on each apply. */
function follow(registry: ReturnType<typeof makeRegistry>['registry']) {
  const applied: IWarningsSettings[] = [];
  let wake: (() => void) | null = null;
  followSettings(
    registry,
    ID,
    'warnings',
    readWarningsSettings,
    values => {
      applied.push(values);
      wake?.();
    },
    trans
  );
  const next = async (count: number) => {
    while (applied.length < count) {
      await new Promise<void>(resolve => (wake = resolve));
    }
    return applied[count - 1];
  };
  return { applied, next };
}

const messages = () => Notification.manager.notifications.map(n => n.message);

describe('followSettings', () => {
  beforeEach(() => Notification.dismiss());

  it('applies valid user settings with the schema defaults, silently', async () => {
    const { registry } = makeRegistry(
      ID,
      schema,
      '{ "gpuIdle": { "minutes": 5 }, "currency": "€" }'
    );
    const values = await follow(registry).next(1);
    expect(values.gpuIdle).toEqual({
      ...DEFAULT_WARNINGS_SETTINGS.gpuIdle,
      minutes: 5
    });
    expect(values.currency).toBe('€');
    expect(values.ramFull).toEqual(DEFAULT_WARNINGS_SETTINGS.ramFull);
    expect(messages()).toEqual([]);
  });

  it('follows changes', async () => {
    const { registry } = makeRegistry(ID, schema);
    const { next } = follow(registry);
    expect(await next(1)).toEqual(DEFAULT_WARNINGS_SETTINGS);
    await registry.upload(ID, '{ "snoozeMinutes": 5 }');
    expect((await next(2)).snoozeMinutes).toBe(5);
  });

  it('names the setting when the registry rejects the settings', async () => {
    const { registry } = makeRegistry(
      ID,
      schema,
      '{ "gpuIdle": { "minutes": 0 }, "currency": "€" }'
    );
    const values = await follow(registry).next(1);
    expect(values).toEqual(DEFAULT_WARNINGS_SETTINGS);
    expect(messages()).toEqual([
      'GPU Session warnings settings were not loaded, so all of them are at their defaults: gpuIdle.minutes: must be > 0'
    ]);
  });

  it('names a key the schema does not know', async () => {
    const { registry } = makeRegistry(ID, schema, '{ "gpuIdel": {} }');
    await follow(registry).next(1);
    expect(messages()[0]).toContain('gpuIdel is not a setting');
  });

  it('says why when the settings file does not parse', async () => {
    const { registry } = makeRegistry(ID, schema, '{ "currency": ');
    await follow(registry).next(1);
    expect(messages()[0]).toMatch(/defaults: the settings file: .+/);
  });

  it('loads again once the registry has valid settings', async () => {
    const { registry, connector } = makeRegistry(
      ID,
      schema,
      '{ "snoozeMinutes": -1 }'
    );
    const { next } = follow(registry);
    expect((await next(1)).snoozeMinutes).toBe(60);
    connector.raw[ID] = '{ "snoozeMinutes": 10 }';
    await registry.reload(ID);
    expect((await next(2)).snoozeMinutes).toBe(10);
  });

  it('falls back for the one key of the wrong type, naming it', async () => {
    // A schema that lets a wrong type through (e.g. changed by an
    // administrator's overrides): the reader still guards the type.
    const loose = JSON.parse(JSON.stringify(schema));
    delete loose.properties.snoozeMinutes.type;
    delete loose.properties.ramFull.properties.percent.type;
    const { registry } = makeRegistry(
      ID,
      loose,
      '{ "snoozeMinutes": "soon", "ramFull": { "percent": "x" }, "currency": "€" }'
    );
    const values = await follow(registry).next(1);
    expect(values.snoozeMinutes).toBe(60);
    expect(values.ramFull).toEqual({ enabled: true, percent: 90 });
    expect(values.currency).toBe('€');
    expect(messages()).toEqual([
      'GPU Session warnings settings: snoozeMinutes must be a number, not "soon"; its default 60 is used; ramFull.percent must be a number, not "x"; its default 90 is used'
    ]);
  });
});
