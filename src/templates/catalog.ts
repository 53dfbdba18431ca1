/**
 * The catalog: the built-in templates and those declared in the settings,
 * each checked on its own so that one bad template is reported by name and
 * skipped while the others keep working.
 */
import { QUOTERS } from './escape';
import { checkValue, findPlaceholders } from './render';
import {
  CONTEXT_NAMES,
  ITemplate,
  ITemplateCell,
  ITemplateVariable,
  VariableKind
} from './types';

/** Why a template was skipped. */
export interface ICatalogProblem {
  /** The template's id, or `#<position>` when it has none. */
  name: string;
  message: string;
}

/** The catalog: usable templates in menu order, and what was skipped. */
export interface ICatalog {
  templates: ITemplate[];
  problems: ICatalogProblem[];
}

const KINDS: VariableKind[] = ['path', 'text', 'integer', 'choice'];
const ID = /^[a-z0-9][a-z0-9-]*$/;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const TEMPLATE_KEYS = [
  'id',
  'label',
  'description',
  'version',
  'variables',
  'cells'
];
const VARIABLE_KEYS = [
  'name',
  'label',
  'kind',
  'default',
  'description',
  'choices',
  'minimum',
  'maximum',
  'optional',
  'platformDefault'
];
const CELL_KEYS = ['type', 'source', 'when'];
const SHELL_CELL = /^%%(bash|sh)\b/;

/** Raised by `parseTemplate` with the first reason the definition is bad. */
export class TemplateDefinitionError extends Error {}

/**
 * Check one template definition (from builtin/ or the settings) and
 * return it typed. Throws a `TemplateDefinitionError` that says what is
 * wrong and where.
 */
export function parseTemplate(raw: unknown, builtin = false): ITemplate {
  const t = object(raw, 'the template');
  unknownKeys(t, TEMPLATE_KEYS, 'the template');
  const id = t.id;
  if (typeof id !== 'string' || !ID.test(id)) {
    fail('"id" must be lowercase letters, digits and dashes');
  }
  const label = nonEmptyString(t.label, '"label"');
  const description =
    t.description === undefined ? '' : stringOf(t.description, '"description"');
  const version = t.version ?? 1;
  if (!Number.isInteger(version) || (version as number) < 1) {
    fail('"version" must be a whole number of at least 1');
  }
  if (!Array.isArray(t.variables ?? [])) {
    fail('"variables" must be a list');
  }
  const variables = ((t.variables ?? []) as unknown[]).map((v, i) =>
    parseVariable(v, i)
  );
  const names = new Set<string>();
  for (const variable of variables) {
    if (names.has(variable.name)) {
      fail(`variable "${variable.name}" is declared twice`);
    }
    names.add(variable.name);
  }
  if (!Array.isArray(t.cells) || t.cells.length === 0) {
    fail('"cells" must be a list of at least one cell');
  }
  const cells = (t.cells as unknown[]).map((c, i) =>
    parseCell(c, i, variables)
  );
  return {
    id,
    label,
    description,
    version: version as number,
    variables,
    cells,
    builtin
  };
}

/**
 * Build the catalog from the built-in definitions and the user's. A user
 * template may not reuse the id of another template.
 */
export function buildCatalog(
  userTemplates: unknown,
  builtins: ReadonlyArray<unknown>
): ICatalog {
  const templates: ITemplate[] = [];
  const problems: ICatalogProblem[] = [];
  const add = (raw: unknown, index: number, builtin: boolean) => {
    const name =
      raw && typeof raw === 'object' && typeof (raw as IRaw).id === 'string'
        ? ((raw as IRaw).id as string)
        : `#${index + 1}`;
    try {
      const template = parseTemplate(raw, builtin);
      if (templates.some(other => other.id === template.id)) {
        fail(`the id "${template.id}" is already taken`);
      }
      templates.push(template);
    } catch (error) {
      problems.push({ name, message: (error as Error).message });
    }
  };
  builtins.forEach((raw, i) => add(raw, i, true));
  if (userTemplates !== undefined && !Array.isArray(userTemplates)) {
    problems.push({
      name: 'templates',
      message: 'the "templates" setting must be a list'
    });
  } else {
    (userTemplates ?? []).forEach((raw: unknown, i: number) =>
      add(raw, i, false)
    );
  }
  return { templates, problems };
}

type IRaw = { [key: string]: unknown };

function parseVariable(raw: unknown, index: number): ITemplateVariable {
  const where = `variable ${index + 1}`;
  const v = object(raw, where);
  unknownKeys(v, VARIABLE_KEYS, where);
  const name = v.name;
  if (typeof name !== 'string' || !NAME.test(name)) {
    fail(`${where}: "name" must be a Python-style identifier`);
  }
  if ((CONTEXT_NAMES as string[]).includes(name)) {
    fail(`variable "${name}": the name is reserved for the notebook context`);
  }
  const at = `variable "${name}"`;
  const kind = v.kind as VariableKind;
  if (!KINDS.includes(kind)) {
    fail(`${at}: "kind" must be one of ${KINDS.join(', ')}`);
  }
  const variable: ITemplateVariable = {
    name,
    label: nonEmptyString(v.label, `${at}: "label"`),
    kind,
    default: ''
  };
  if (v.description !== undefined) {
    variable.description = stringOf(v.description, `${at}: "description"`);
  }
  if (v.optional !== undefined) {
    if (typeof v.optional !== 'boolean') {
      fail(`${at}: "optional" must be true or false`);
    }
    variable.optional = v.optional;
  }
  if (kind === 'choice') {
    const choices = v.choices;
    if (
      !Array.isArray(choices) ||
      choices.length === 0 ||
      !choices.every(c => typeof c === 'string' && c !== '')
    ) {
      fail(`${at}: "choices" must be a list of non-empty strings`);
    }
    variable.choices = choices as string[];
    if (v.platformDefault !== undefined) {
      if (typeof v.platformDefault !== 'boolean') {
        fail(`${at}: "platformDefault" must be true or false`);
      }
      variable.platformDefault = v.platformDefault;
    }
  } else if (v.choices !== undefined || v.platformDefault !== undefined) {
    fail(`${at}: only a choice variable has "choices" and "platformDefault"`);
  }
  for (const bound of ['minimum', 'maximum'] as const) {
    if (v[bound] === undefined) {
      continue;
    }
    if (kind !== 'integer' || !Number.isSafeInteger(v[bound])) {
      fail(`${at}: "${bound}" must be a whole number of an integer variable`);
    }
    variable[bound] = v[bound] as number;
  }
  const fallback = v.default ?? (kind === 'choice' ? variable.choices![0] : '');
  if (typeof fallback !== 'string' && typeof fallback !== 'number') {
    fail(`${at}: "default" must be a string or a number`);
  }
  try {
    variable.default = checkValue(variable, String(fallback));
  } catch (error) {
    fail(`${at}: the default ${(error as Error).message}`);
  }
  return variable;
}

function parseCell(
  raw: unknown,
  index: number,
  variables: ITemplateVariable[]
): ITemplateCell {
  const where = `cell ${index + 1}`;
  const c = object(raw, where);
  unknownKeys(c, CELL_KEYS, where);
  if (c.type !== 'markdown' && c.type !== 'code') {
    fail(`${where}: "type" must be "markdown" or "code"`);
  }
  const source = Array.isArray(c.source)
    ? c.source.every(line => typeof line === 'string')
      ? (c.source as string[]).join('\n')
      : fail(`${where}: "source" must be a string or a list of strings`)
    : stringOf(c.source, `${where}: "source"`);
  const known = new Set<string>([
    ...variables.map(v => v.name),
    ...CONTEXT_NAMES
  ]);
  const cell: ITemplateCell = { type: c.type, source };
  if (c.when !== undefined) {
    const when = object(c.when, `${where}: "when"`);
    for (const [name, allowed] of Object.entries(when)) {
      if (!known.has(name)) {
        fail(`${where}: "when" names an unknown variable "${name}"`);
      }
      if (
        !Array.isArray(allowed) ||
        !allowed.every(value => typeof value === 'string')
      ) {
        fail(`${where}: "when.${name}" must be a list of values`);
      }
    }
    cell.when = when as Record<string, string[]>;
  }
  const styles =
    c.type === 'markdown'
      ? ['md', 'int']
      : SHELL_CELL.test(source)
        ? ['sh', 'int']
        : ['py', 'int'];
  for (const placeholder of findPlaceholders(source)) {
    const text = `{{${placeholder.style}:${placeholder.name}}}`;
    if (!(placeholder.style in QUOTERS)) {
      fail(`${where}: ${text} names an unknown quoting style`);
    }
    if (!known.has(placeholder.name)) {
      fail(`${where}: ${text} names an unknown variable`);
    }
    if (!styles.includes(placeholder.style)) {
      fail(
        `${where}: ${text} cannot be used in a ${
          c.type === 'markdown'
            ? 'markdown'
            : styles[0] === 'sh'
              ? 'shell'
              : 'Python'
        } cell (use ${styles.map(s => `{{${s}:...}}`).join(' or ')})`
      );
    }
    // IPython expands $name and {expr} in ! and % lines, quoted or not.
    if (styles[0] === 'py' && /^\s*[!%]/.test(placeholder.line)) {
      fail(
        `${where}: ${text} is on a ! or % line, where IPython would expand $ and {} in the value`
      );
    }
  }
  return cell;
}

function object(raw: unknown, where: string): IRaw {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    fail(`${where} must be an object`);
  }
  return raw as IRaw;
}

function unknownKeys(raw: IRaw, allowed: string[], where: string): void {
  const extra = Object.keys(raw).filter(key => !allowed.includes(key));
  if (extra.length) {
    fail(`${where} has unknown keys: ${extra.join(', ')}`);
  }
}

function stringOf(raw: unknown, what: string): string {
  if (typeof raw !== 'string') {
    fail(`${what} must be a string`);
  }
  return raw;
}

function nonEmptyString(raw: unknown, what: string): string {
  if (typeof raw !== 'string' || raw.trim() === '') {
    fail(`${what} must be a non-empty string`);
  }
  return raw;
}

function fail(message: string): never {
  throw new TemplateDefinitionError(message);
}
