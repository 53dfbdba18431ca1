/**
 * Typed reads of the settings a plugin gets from JupyterLab's settings
 * registry. The registry has already validated the user's values against
 * the schema and filled in the schema's defaults, so a reader only guards
 * each value's type; the schema file stays the one source of defaults and
 * ranges.
 *
 * No DOM and no JupyterLab application imports: plain functions that the
 * models and their tests use directly.
 */

/** A settings object as the registry gives it (`ISettings.composite`). */
export type Composite = { readonly [key: string]: unknown };

/** What a setting should have held: named in the notice. */
export type SettingKind =
  | 'boolean'
  | 'number'
  | 'number or null'
  | 'string'
  | 'list of numbers'
  | 'list of strings'
  | 'object'
  | 'choice';

/** A setting that held a value of the wrong kind; its default is used. */
export interface ISettingProblem {
  /** The setting's key, dotted for a nested one: `gpuIdle.minutes`. */
  key: string;
  /** What it should hold. */
  expected: SettingKind;
  /** For `choice`: the values allowed. */
  choices?: ReadonlyArray<string>;
  /** The value found. */
  value: unknown;
  /** The schema's default, used instead. */
  fallback: unknown;
}

/** The part of a JSON schema the defaults are read from. */
export interface ISchemaNode {
  /** The property's default. */
  default?: unknown;
  /** The properties of an object. */
  properties?: { [key: string]: ISchemaNode };
}

/**
 * The defaults a schema declares, each nested object filled from its own
 * properties' defaults over the object's `default` (as the registry fills
 * the composite settings).
 */
export function schemaDefaults(schema: ISchemaNode): Composite {
  const result: { [key: string]: unknown } = {};
  for (const [key, node] of Object.entries(schema.properties ?? {})) {
    if (node.properties) {
      result[key] = {
        ...(Private.isObject(node.default) ? node.default : {}),
        ...schemaDefaults(node)
      };
    } else if (node.default !== undefined) {
      result[key] = node.default;
    }
  }
  return result;
}

/** What a settings reader returns: typed values and the problems found. */
export interface IReadResult<T> {
  /** The values, each wrong one replaced by its default. */
  settings: T;
  /** One entry for each value of the wrong type. */
  problems: ISettingProblem[];
}

/**
 * A factory of readers for the settings of `schema`, its defaults worked
 * out once.
 */
export function settingsReader(
  schema: ISchemaNode
): (composite: Composite) => SettingsReader {
  const defaults = schemaDefaults(schema);
  return composite => new SettingsReader(composite, defaults);
}

/**
 * Reads the values of one settings object: a value of the wrong kind is
 * recorded as a problem that names its key, and that key alone falls back
 * to its default. A key missing from the composite (no registry, or the
 * registry could not load the settings) reads as its default, silently.
 */
export class SettingsReader {
  /**
   * @param composite - the values, as the registry gives them.
   * @param defaults - the schema's defaults (`schemaDefaults(schema)`).
   * @param problems - where problems are collected; shared with nested readers.
   * @param prefix - the dotted key of this object, for nested readers.
   */
  constructor(
    private readonly _composite: Composite,
    private readonly _defaults: Composite,
    readonly problems: ISettingProblem[] = [],
    private readonly _prefix = ''
  ) {}

  /** A boolean setting. */
  bool(key: string): boolean {
    return this._read(key, 'boolean', v => typeof v === 'boolean');
  }

  /** A finite number. */
  num(key: string): number {
    return this._read(key, 'number', Private.isNumber);
  }

  /** A finite number, or null (the schema's `["number", "null"]`). */
  numOrNull(key: string): number | null {
    return this._read(
      key,
      'number or null',
      v => v === null || Private.isNumber(v)
    );
  }

  /** A string. */
  str(key: string): string {
    return this._read(key, 'string', v => typeof v === 'string');
  }

  /** A list of numbers. */
  numList(key: string): number[] {
    return this._read(
      key,
      'list of numbers',
      v => Array.isArray(v) && v.every(Private.isNumber)
    );
  }

  /** A list of strings. */
  strList(key: string): string[] {
    return this._read(
      key,
      'list of strings',
      v => Array.isArray(v) && v.every(s => typeof s === 'string')
    );
  }

  /** One of `choices` (the schema's `enum`). */
  enumOf<T extends string>(key: string, choices: ReadonlyArray<T>): T {
    return this._read(
      key,
      'choice',
      v => typeof v === 'string' && choices.includes(v as T),
      choices
    );
  }

  /** A reader of the nested object `key`; its problems join this one's. */
  group(key: string): SettingsReader {
    const defaults = this._defaults[key];
    const value: Composite = this._read(key, 'object', Private.isObject);
    return new SettingsReader(
      value,
      Private.isObject(defaults) ? defaults : {},
      this.problems,
      `${this._prefix}${key}.`
    );
  }

  private _read<T>(
    key: string,
    expected: SettingKind,
    fits: (value: unknown) => boolean,
    choices?: ReadonlyArray<string>
  ): T {
    const fallback = this._defaults[key];
    const value = this._composite[key];
    if (value === undefined) {
      return fallback as T;
    }
    if (fits(value)) {
      return value as T;
    }
    const problem: ISettingProblem = {
      key: this._prefix + key,
      expected,
      value,
      fallback
    };
    if (choices) {
      problem.choices = choices;
    }
    this.problems.push(problem);
    return fallback as T;
  }
}

namespace Private {
  export function isNumber(value: unknown): value is number {
    return typeof value === 'number' && Number.isFinite(value);
  }

  export function isObject(value: unknown): value is Composite {
    return !!value && typeof value === 'object' && !Array.isArray(value);
  }
}
