/**
 * The built-in templates, as data: each body in its own file, joined to its
 * id, label and description from the index. The result has the shape a
 * user writes in the settings (see docs/templates.md) and is checked by the
 * catalog like any other.
 *
 * Placeholders: {{py:name}} a Python string literal, {{sh:name}} one shell
 * word, {{md:name}} markdown text, {{int:name}} a whole number.
 */
import { BuiltinId, builtinIndex, IBuiltinEntry } from '../builtinIndex';
import { IBuiltinBody } from './body';
import { checkpointTrain } from './checkpointTrain';
import { driveMount } from './driveMount';
import { envSnapshot } from './envSnapshot';
import { gpuCheck } from './gpuCheck';
import { installDeps } from './installDeps';

/** Each built-in template's body, by id. */
export const BUILTIN_BODIES: Readonly<Record<BuiltinId, IBuiltinBody>> = {
  'drive-mount': driveMount,
  'install-deps': installDeps,
  'checkpoint-train': checkpointTrain,
  'env-snapshot': envSnapshot,
  'gpu-check': gpuCheck
};

/**
 * The built-in template definitions for `entries` (the index, translated
 * or not), in their order.
 */
export function builtinTemplates(
  entries: ReadonlyArray<IBuiltinEntry>
): ReadonlyArray<unknown> {
  return entries.map(({ id, label, description }) => ({
    id,
    label,
    description,
    ...BUILTIN_BODIES[id]
  }));
}

/**
 * The built-in templates in the source language (English), e.g. for the
 * renderer the Python tests use.
 */
export const BUILTIN_TEMPLATES: ReadonlyArray<unknown> = builtinTemplates(
  builtinIndex({ __: (msgid: string) => msgid })
);
