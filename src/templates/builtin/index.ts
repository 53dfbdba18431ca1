/**
 * The built-in templates, as data: each body in its own file, joined to its
 * id, label and description from the index. The result has the shape a
 * user writes in the settings (see docs/templates.md) and is checked by the
 * catalog like any other.
 *
 * Placeholders: {{py:name}} a Python string literal, {{sh:name}} one shell
 * word, {{md:name}} markdown text, {{int:name}} a whole number.
 *
 * The checkpoint helper pasted by `checkpoint-train` is not in here: the
 * labextension fetches it as a file of its own (keeperAsset.ts), and
 * sourceLanguage.ts gives tests the templates with the helper as written.
 */
import { BuiltinId, IBuiltinEntry } from '../builtinIndex';
import { IBuiltinBody } from './body';
import { checkpointTrain } from './checkpointTrain';
import { driveMount } from './driveMount';
import { envSnapshot } from './envSnapshot';
import { gpuCheck } from './gpuCheck';
import { installDeps } from './installDeps';

/**
 * Each built-in template's body, by id, with `keeperLines` (the lines of
 * checkpoint.py) in `checkpoint-train`.
 */
export function builtinBodies(
  keeperLines: ReadonlyArray<string>
): Readonly<Record<BuiltinId, IBuiltinBody>> {
  return {
    'drive-mount': driveMount,
    'install-deps': installDeps,
    'checkpoint-train': checkpointTrain(keeperLines),
    'env-snapshot': envSnapshot,
    'gpu-check': gpuCheck
  };
}

/**
 * The built-in template definitions for `entries` (the index, translated
 * or not), in their order, with `keeperLines` in `checkpoint-train`.
 */
export function builtinTemplates(
  entries: ReadonlyArray<IBuiltinEntry>,
  keeperLines: ReadonlyArray<string>
): ReadonlyArray<unknown> {
  const bodies = builtinBodies(keeperLines);
  return entries.map(({ id, label, description }) => ({
    id,
    label,
    description,
    ...bodies[id]
  }));
}
