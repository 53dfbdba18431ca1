/**
 * What the start of JupyterLab needs of the built-in templates: their ids,
 * labels and descriptions, for the menus, the palette and the sidebar. The
 * bodies (variables and cells) are in builtin/, loaded on first use; this
 * index is their only source of id, label and description, so the two
 * cannot disagree.
 */
import type { TranslationBundle } from '@jupyterlab/translation';

/** The ids of the built-in templates, in menu order (DESIGN.md section 3.2). */
export const BUILTIN_IDS = [
  'drive-mount',
  'install-deps',
  'checkpoint-train',
  'env-snapshot',
  'gpu-check'
] as const;

/** The id of a built-in template. */
export type BuiltinId = (typeof BUILTIN_IDS)[number];

/** A template as the menus show it: built-in or from the settings. */
export interface ITemplateEntry {
  id: string;
  label: string;
  description: string;
}

/** A built-in template's entry. */
export interface IBuiltinEntry extends ITemplateEntry {
  id: BuiltinId;
}

/**
 * The built-in templates' entries, in menu order, with the label and
 * description translated by `trans`.
 */
export function builtinIndex(
  trans: Pick<TranslationBundle, '__'>
): IBuiltinEntry[] {
  return [
    {
      id: 'drive-mount',
      label: trans.__('Mount Persistent Storage'),
      description: trans.__(
        "Mount Google Drive on Colab, or use the platform's persistent storage, and check the folder is there."
      )
    },
    {
      id: 'install-deps',
      label: trans.__('Install Pinned Dependencies'),
      description: trans.__(
        "pip install pinned packages or a requirements file into the kernel's environment, quietly, then print the installed versions."
      )
    },
    {
      id: 'checkpoint-train',
      label: trans.__('Checkpoint-Safe Training'),
      description: trans.__(
        'Run a training script that resumes from the newest checkpoint and logs to persistent storage; a helper for time-based, atomic, verified checkpoints.'
      )
    },
    {
      id: 'env-snapshot',
      label: trans.__('Environment Snapshot'),
      description: trans.__(
        "Save pip freeze, Python, CUDA, driver, GPU and platform details in a timestamped folder beside the notebook, and record it in the notebook's metadata."
      )
    },
    {
      id: 'gpu-check',
      label: trans.__('GPU Check'),
      description: trans.__(
        'What GPU the kernel sees, whether the installed frameworks see CUDA, and a short matrix-multiply throughput figure.'
      )
    }
  ];
}
