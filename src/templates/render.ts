/**
 * Rendering: check the values a person typed against a template's
 * variables, then fill the placeholders, each quoted for where it lands.
 *
 * A placeholder is `{{style:name}}` with `style` one of `py` (a Python
 * string literal), `sh` (one shell word), `md` (markdown text) or `int` (a
 * decimal integer); there is deliberately no unquoted style.
 */
import { QUOTERS, QuotingError } from './escape';
import {
  CONTEXT_NAMES,
  IRenderContext,
  IRenderedCell,
  ITemplate,
  ITemplateVariable,
  TemplateValues
} from './types';

/** A placeholder in a cell's source. */
export const PLACEHOLDER = /\{\{([a-z]+):([A-Za-z_][A-Za-z0-9_]*)\}\}/g;

/** One placeholder found in a source. */
export interface IPlaceholder {
  style: string;
  name: string;
  /** The line it is on, without its line break. */
  line: string;
}

/** Every placeholder of a source, in order. */
export function findPlaceholders(source: string): IPlaceholder[] {
  const found: IPlaceholder[] = [];
  for (const line of source.split('\n')) {
    for (const match of line.matchAll(PLACEHOLDER)) {
      found.push({ style: match[1], name: match[2], line });
    }
  }
  return found;
}

/** Raised when values do not fit a template; `problems` says why, per name. */
export class TemplateValueError extends Error {
  constructor(readonly problems: Record<string, string>) {
    super(
      Object.entries(problems)
        .map(([name, problem]) => `${name}: ${problem}`)
        .join('; ')
    );
  }
}

/**
 * Check one value against its variable; returns the normalised value or
 * throws a message.
 */
export function checkValue(variable: ITemplateVariable, raw: string): string {
  const value = variable.kind === 'integer' ? raw.trim() : raw;
  if (value === '') {
    if (variable.optional && variable.kind !== 'integer') {
      return value;
    }
    throw new Error('a value is required');
  }
  switch (variable.kind) {
    case 'integer': {
      if (!/^-?\d+$/.test(value)) {
        throw new Error(`${JSON.stringify(raw)} is not a whole number`);
      }
      const n = Number(value);
      if (!Number.isSafeInteger(n)) {
        throw new Error(`${value} is too large`);
      }
      if (variable.minimum !== undefined && n < variable.minimum) {
        throw new Error(`must be at least ${variable.minimum}`);
      }
      if (variable.maximum !== undefined && n > variable.maximum) {
        throw new Error(`must be at most ${variable.maximum}`);
      }
      return String(n);
    }
    case 'choice':
      if (!(variable.choices ?? []).includes(value)) {
        throw new Error(
          `must be one of ${(variable.choices ?? []).join(', ')}`
        );
      }
      return value;
    default:
      if (value.includes('\0')) {
        throw new Error('must not contain a NUL character');
      }
      return value;
  }
}

/**
 * Check every variable's value; missing values take the variable's default.
 * Throws a `TemplateValueError` naming each bad value.
 */
export function checkValues(
  template: ITemplate,
  values: Partial<TemplateValues>
): TemplateValues {
  const checked: TemplateValues = {};
  const problems: Record<string, string> = {};
  for (const variable of template.variables) {
    const raw = values[variable.name] ?? variable.default;
    try {
      checked[variable.name] = checkValue(variable, String(raw));
    } catch (error) {
      problems[variable.name] = (error as Error).message;
    }
  }
  if (Object.keys(problems).length) {
    throw new TemplateValueError(problems);
  }
  return checked;
}

/**
 * Render a template's cells with checked values.
 *
 * Cells whose `when` does not match are left out. Every inserted cell's
 * metadata records the template id and version.
 */
export function renderTemplate(
  template: ITemplate,
  values: Partial<TemplateValues>,
  context: IRenderContext
): IRenderedCell[] {
  const checked = checkValues(template, values);
  const all: Record<string, string> = { ...checked };
  for (const name of CONTEXT_NAMES) {
    all[name] = context[name];
  }
  const cells: IRenderedCell[] = [];
  for (const cell of template.cells) {
    const included = Object.entries(cell.when ?? {}).every(([name, allowed]) =>
      allowed.includes(all[name])
    );
    if (!included) {
      continue;
    }
    const source = cell.source.replace(
      PLACEHOLDER,
      (whole, style: string, name: string) => {
        const quote = QUOTERS[style];
        if (!quote || !(name in all)) {
          // The catalog refuses such templates; never leave one half-done.
          throw new QuotingError(`unknown placeholder ${whole}`);
        }
        try {
          return quote(all[name]);
        } catch (error) {
          throw new TemplateValueError({
            [name]: (error as Error).message
          });
        }
      }
    );
    cells.push({
      cell_type: cell.type,
      source,
      metadata: {
        gpu_session: { template: template.id, version: template.version }
      }
    });
  }
  return cells;
}
