/**
 * Load a plugin's settings, read them into typed values, and apply them
 * now and on every change. Problems are shown as a notification that
 * names each setting, so one typo never stops a feature and never goes
 * unnoticed.
 */
import { Notification } from '@jupyterlab/apputils';
import {
  ISchemaValidator,
  ISettingRegistry
} from '@jupyterlab/settingregistry';
import { TranslationBundle } from '@jupyterlab/translation';
import { Composite, ISettingProblem } from './reader';

/**
 * A settings reader: typed values and what was wrong with the input. A
 * problem is an `ISettingProblem`, or a sentence that names its setting
 * (readers that do not use `SettingsReader` yet).
 */
export type ReadSettings<T> = (composite: Composite) => {
  settings: T;
  problems: ReadonlyArray<ISettingProblem | string>;
};

/**
 * Follow the settings of `pluginId`.
 *
 * @param label - the feature's translated name in notices, e.g. "countdown".
 *
 * #### Notes
 * JupyterLab's registry validates the user's settings against the schema
 * and rejects them all when one value fails (it keeps no composite for
 * the plugin then). That rejection is shown with the setting it names,
 * the schema's defaults are applied, and loading is tried again once the
 * registry reports new settings for the plugin (saved in the Settings
 * Editor).
 */
export function followSettings<T>(
  registry: ISettingRegistry | null,
  pluginId: string,
  label: string,
  read: ReadSettings<T>,
  apply: (values: T) => void,
  trans: TranslationBundle
): void {
  if (!registry) {
    return;
  }
  const update = (composite: Composite) => {
    const { settings, problems } = read(composite);
    if (problems.length) {
      Notification.warning(
        trans.__(
          'GPU Session %1 settings: %2',
          label,
          problems.map(p => describeProblem(p, trans)).join('; ')
        ),
        { autoClose: 8000 }
      );
    }
    apply(settings);
  };
  const retry = (_: ISettingRegistry, id: string) => {
    if (id === pluginId) {
      registry.pluginChanged.disconnect(retry);
      load();
    }
  };
  const load = () => {
    registry.load(pluginId).then(
      loaded => {
        loaded.changed.connect(() => update(loaded.composite));
        update(loaded.composite);
      },
      reason => {
        console.warn(`GPU Session: ${pluginId} settings not loaded`, reason);
        Notification.warning(
          trans.__(
            'GPU Session %1 settings were not loaded, so all of them are at their defaults: %2',
            label,
            describeLoadError(reason, trans)
          ),
          { autoClose: 8000 }
        );
        update({});
        registry.pluginChanged.connect(retry);
      }
    );
  };
  load();
}

/** A problem as one sentence that names its setting. */
export function describeProblem(
  problem: ISettingProblem | string,
  trans: TranslationBundle
): string {
  if (typeof problem === 'string') {
    return problem;
  }
  const expected: { [kind: string]: string } = {
    boolean: trans.__('true or false'),
    number: trans.__('a number'),
    'number or null': trans.__('a number or null'),
    string: trans.__('a string'),
    'list of numbers': trans.__('a list of numbers'),
    'list of strings': trans.__('a list of strings'),
    object: trans.__('an object'),
    choice: trans.__('one of %1', (problem.choices ?? []).join(', '))
  };
  return trans.__(
    '%1 must be %2, not %3; its default %4 is used',
    problem.key,
    expected[problem.expected],
    Private.show(problem.value),
    Private.show(problem.fallback)
  );
}

/**
 * Why the registry rejected a plugin's settings, naming the setting: its
 * validation errors (`ISchemaValidator.IError[]`), or any other reason.
 */
export function describeLoadError(
  reason: unknown,
  trans: TranslationBundle
): string {
  if (!Array.isArray(reason)) {
    return reason instanceof Error ? reason.message : String(reason);
  }
  return (reason as ISchemaValidator.IError[])
    .map(error => {
      const path = (error.instancePath ?? '')
        .split('/')
        .filter(part => part !== '')
        .join('.');
      const extra = error.params?.['additionalProperty'];
      if (error.keyword === 'additionalProperties' && extra) {
        return trans.__(
          '%1 is not a setting',
          path ? `${path}.${extra}` : String(extra)
        );
      }
      return trans.__(
        '%1: %2',
        path || trans.__('the settings file'),
        error.message ?? String(error.keyword)
      );
    })
    .join('; ');
}

namespace Private {
  /** A value as JSON, short enough for a notice. */
  export function show(value: unknown): string {
    const text = JSON.stringify(value) ?? String(value);
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
  }
}
