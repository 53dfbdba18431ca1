/**
 * Load a plugin's settings, read them into checked values, and apply them
 * now and on every change. Bad values are reported in the UI (the reader
 * has already fallen back to defaults for them), so one typo never stops a
 * feature and never goes unnoticed.
 */
import { Notification } from '@jupyterlab/apputils';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { TranslationBundle } from '@jupyterlab/translation';

/** A settings reader: checked values and what was wrong with the input. */
export type SettingsReader<T> = (composite: { [key: string]: unknown }) => {
  settings: T;
  problems: string[];
};

/**
 * Follow the settings of `pluginId`.
 *
 * @param label - the feature's name in messages, e.g. "countdown".
 */
export function followSettings<T>(
  registry: ISettingRegistry | null,
  pluginId: string,
  label: string,
  read: SettingsReader<T>,
  apply: (values: T) => void,
  trans: TranslationBundle
): void {
  if (!registry) {
    return;
  }
  registry
    .load(pluginId)
    .then(loaded => {
      const update = () => {
        const { settings, problems } = read(
          loaded.composite as { [key: string]: unknown }
        );
        if (problems.length) {
          Notification.warning(
            trans.__(
              'GPU Session %1 settings ignored: %2',
              label,
              problems.join('; ')
            ),
            { autoClose: 8000 }
          );
        }
        apply(settings);
      };
      loaded.changed.connect(update);
      update();
    })
    .catch(reason =>
      console.error(
        `jupyterlab-gpu-session: ${label} settings not loaded`,
        reason
      )
    );
}
