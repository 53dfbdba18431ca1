/**
 * The built-in templates in the source language (English) with the
 * checkpoint helper as written (the generated keeperSource.ts), for the
 * tests and for tests/templates/render.js, the renderer the Python tests
 * use. Not part of the labextension, which fetches the helper instead
 * (keeperAsset.ts).
 */
import { builtinIndex } from '../builtinIndex';
import { builtinBodies, builtinTemplates } from './index';
import { KEEPER_SOURCE_LINES } from './keeperSource';

/** Each built-in template's body, by id. */
export const BUILTIN_BODIES = builtinBodies(KEEPER_SOURCE_LINES);

/** The built-in template definitions, in the source language. */
export const BUILTIN_TEMPLATES: ReadonlyArray<unknown> = builtinTemplates(
  builtinIndex({ __: (msgid: string) => msgid }),
  KEEPER_SOURCE_LINES
);
