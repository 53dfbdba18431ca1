/**
 * The shape of a template: its variables and its cells. Plain data, shared
 * by the built-in catalog (builtin/) and the templates users declare in
 * the settings.
 */

/** How a variable's value is typed in and checked. */
export type VariableKind = 'path' | 'text' | 'integer' | 'choice';

/** One variable a template asks for. */
export interface ITemplateVariable {
  /** The name used in placeholders, e.g. `{{py:name}}`. */
  name: string;
  /** The label shown in the dialog. */
  label: string;
  kind: VariableKind;
  /** The default value, used when no setting or remembered value applies. */
  default: string;
  /** A longer help text, shown under the field. */
  description?: string;
  /** The allowed values of a `choice` variable. */
  choices?: string[];
  /** Bounds of an `integer` variable, inclusive. */
  minimum?: number;
  maximum?: number;
  /** Whether an empty value is accepted (never for `integer` and `choice`). */
  optional?: boolean;
  /**
   * A `choice` variable whose default follows the session's platform: when
   * the platform is one of the choices it becomes the default.
   */
  platformDefault?: boolean;
}

/** One cell of a template, before rendering. */
export interface ITemplateCell {
  type: 'markdown' | 'code';
  /** The source with placeholders. */
  source: string;
  /**
   * Include the cell only when each named variable has one of the listed
   * values (e.g. `{ "variant": ["colab"] }`).
   */
  when?: Record<string, string[]>;
}

/** A template, validated. */
export interface ITemplate {
  id: string;
  label: string;
  description: string;
  /** Bumped when the cells change; recorded in the inserted cells' metadata. */
  version: number;
  variables: ITemplateVariable[];
  cells: ITemplateCell[];
  /** Whether it ships with the extension (false: from the settings). */
  builtin: boolean;
}

/** A value for each variable, as typed (integers as decimal strings). */
export type TemplateValues = Record<string, string>;

/**
 * What the insertion knows about where the cells go; the cells can refer to
 * these as if they were variables, but the dialog does not ask for them.
 */
export interface IRenderContext {
  /** The notebook's path relative to the server root. */
  notebook_path: string;
  /** The notebook's file name. */
  notebook_name: string;
  /** The session's platform (`generic` when unknown). */
  platform: string;
}

/** The names of the context values. */
export const CONTEXT_NAMES: ReadonlyArray<keyof IRenderContext> = [
  'notebook_path',
  'notebook_name',
  'platform'
];

/** A rendered cell, ready to be inserted. */
export interface IRenderedCell {
  cell_type: 'markdown' | 'code';
  source: string;
  metadata: {
    gpu_session: { template: string; version: number };
  };
}
