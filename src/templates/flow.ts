/**
 * The templates' code that waits for first use, in a chunk of its own:
 * the built-in bodies, the catalog's checks, the dialog, rendering and
 * quoting, and the insertion. plugin.ts reaches it only through
 * `import('./flow')`, so none of it is fetched when JupyterLab starts
 * (DESIGN.md section 6: the startup budget).
 */
import type { Notebook } from '@jupyterlab/notebook';
import type { ISettingRegistry } from '@jupyterlab/settingregistry';
import type { IStateDB } from '@jupyterlab/statedb';
import type { TranslationBundle } from '@jupyterlab/translation';
import type { ReadonlyPartialJSONObject } from '@lumino/coreutils';
import { builtinTemplates } from './builtin';
import { fetchKeeperLines } from './builtin/keeperAsset';
import { IBuiltinEntry } from './builtinIndex';
import { buildCatalog, ICatalog } from './catalog';
import {
  CHECKPOINT_TEMPLATE_ID,
  checkpointGlobFor,
  withGlob
} from './checkpointGlobs';
import { askTemplateValues } from './dialog';
import { insertIntoNotebook } from './insert';
import { renderTemplate, TemplateValueError } from './render';
import { TemplateDefaults } from './settings';
import { ITemplate, TemplateValues } from './types';
import { initialValues, IRememberedValues } from './values';
import { PluginIDs } from '../tokens';

/** Where the last values typed for each template are kept. */
const STATE_KEY = `${PluginIDs.templates}:values`;

/**
 * The catalog: the built-in templates of `entries` (the translated index)
 * and the user's templates, each one checked. The checkpoint helper that
 * `checkpoint-train` pastes is fetched first (a file of the labextension).
 */
export async function catalogOf(
  entries: ReadonlyArray<IBuiltinEntry>,
  userTemplates: unknown
): Promise<ICatalog> {
  const keeperLines = await fetchKeeperLines();
  return buildCatalog(userTemplates, builtinTemplates(entries, keeperLines));
}

/** What an insertion needs to know. */
export interface IInsertOptions {
  /** The notebook the cells go into, below its active cell. */
  notebook: Notebook;
  /** The notebook's path relative to the server root. */
  notebookPath: string;
  template: ITemplate;
  /**
   * Values given to the command: when an object, the dialog is skipped and
   * the values are not remembered.
   */
  given: unknown;
  /** The session's platform (setting or detected). */
  platform: string;
  /** The `defaults` setting. */
  defaults: TemplateDefaults;
  state: IStateDB | null;
  settingRegistry: ISettingRegistry | null;
  trans: TranslationBundle;
}

/**
 * Ask for the values (unless given), render and insert the cells; the index
 * of the first inserted cell, or null when the person cancels. A value the
 * renderer refuses is shown again in the dialog with the reason.
 */
export async function insertTemplate(
  options: IInsertOptions
): Promise<number | null> {
  const { notebook, template, given, state, trans } = options;
  const context = {
    notebook_path: options.notebookPath,
    notebook_name: options.notebookPath.split('/').pop() ?? '',
    platform: options.platform
  };
  let values = initialValues(template, {
    remembered: await remembered(state, template.id),
    settings: options.defaults[template.id] ?? null,
    platform: context.platform
  });
  const follow = () =>
    followCheckpoints(
      options.settingRegistry,
      template.id,
      values,
      context.notebook_path
    );
  if (given && typeof given === 'object') {
    for (const [name, value] of Object.entries(given)) {
      values[name] = String(value);
    }
    const index = insertIntoNotebook(
      notebook,
      renderTemplate(template, values, context)
    );
    await follow();
    return index;
  }
  let problems: Record<string, string> = {};
  for (;;) {
    const typed = await askTemplateValues(template, values, problems, trans);
    if (!typed) {
      return null;
    }
    values = typed;
    try {
      const cells = renderTemplate(template, values, context);
      const index = insertIntoNotebook(notebook, cells);
      await remember(state, template.id, values, context.platform);
      await follow();
      return index;
    } catch (error) {
      if (!(error instanceof TemplateValueError)) {
        throw error;
      }
      problems = error.problems;
    }
  }
}

type RememberedAll = { [id: string]: IRememberedValues };

async function remembered(
  state: IStateDB | null,
  id: string
): Promise<IRememberedValues | null> {
  const all = (await state?.fetch(STATE_KEY)) as RememberedAll | undefined;
  const entry = all?.[id];
  return entry && typeof entry === 'object' && entry.values ? entry : null;
}

async function remember(
  state: IStateDB | null,
  id: string,
  values: TemplateValues,
  platform: string
): Promise<void> {
  if (!state) {
    return;
  }
  const all = ((await state.fetch(STATE_KEY)) ??
    {}) as unknown as RememberedAll;
  await state.save(STATE_KEY, {
    ...all,
    [id]: { values, platform }
  } as unknown as ReadonlyPartialJSONObject);
}

// The countdown's "last checkpoint" follows where the checkpoint-train
// cells save, without the user typing the folder twice.
async function followCheckpoints(
  registry: ISettingRegistry | null,
  id: string,
  values: Record<string, string>,
  notebookPath: string
): Promise<void> {
  const glob =
    id === CHECKPOINT_TEMPLATE_ID
      ? checkpointGlobFor(values, notebookPath)
      : null;
  if (!glob || !registry) {
    return;
  }
  try {
    const countdown = await registry.load(PluginIDs.countdown);
    const current = countdown.get('checkpointGlobs').composite;
    const globs = Array.isArray(current)
      ? current.filter((g): g is string => typeof g === 'string')
      : [];
    if (!globs.includes(glob)) {
      await countdown.set('checkpointGlobs', withGlob(globs, glob));
    }
  } catch (reason) {
    console.warn(
      'GPU Session: checkpoint path not added to the countdown settings',
      reason
    );
  }
}
