/**
 * The shape of a built-in template's body file.
 */

/**
 * A built-in template without its id, label and description (those are in
 * ../builtinIndex.ts). Variables and cells are plain data in the settings'
 * shape (docs/templates.md), checked by the catalog like a user's.
 */
export interface IBuiltinBody {
  /** Bumped when the cells change; recorded in the inserted cells' metadata. */
  version: number;
  /** The variables, as a user would declare them. */
  variables: ReadonlyArray<object>;
  /** The cells, as a user would declare them. */
  cells: ReadonlyArray<object>;
}
