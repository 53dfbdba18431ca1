/**
 * Small, dependency-free readers that check untrusted JSON field by field.
 *
 * Each reader throws a `ValidationError` naming the exact path of the first
 * bad field, so the UI can say what is wrong instead of rendering garbage.
 */

/** A probe reply that does not match the contract. */
export class ValidationError extends Error {
  constructor(
    readonly path: string,
    readonly expected: string,
    received: unknown
  ) {
    super(`${path} should be ${expected}, got ${describe(received)}`);
    this.name = 'ValidationError';
  }
}

/** Longest string kept from the kernel; longer ones are cut, not rejected. */
export const MAX_STRING_LENGTH = 256;

/** Longest list kept from the kernel; longer ones are cut, not rejected. */
export const MAX_LIST_LENGTH = 256;

/** A JSON object, read field by field. */
export type JsonRecord = { [key: string]: unknown };

/** Read `value` as a plain object. */
export function readObject(value: unknown, path: string): JsonRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValidationError(path, 'an object', value);
  }
  return value as JsonRecord;
}

/** Read a required key of an object; a missing key is an error. */
export function field(record: JsonRecord, key: string, path: string): unknown {
  if (!Object.prototype.hasOwnProperty.call(record, key)) {
    throw new ValidationError(`${path}.${key}`, 'present', undefined);
  }
  return record[key];
}

/** Read a finite number. */
export function readNumber(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ValidationError(path, 'a finite number', value);
  }
  return value;
}

/** Read a finite number or null. */
export function readNumberOrNull(value: unknown, path: string): number | null {
  return value === null ? null : readNumber(value, path);
}

/** Read a non-negative integer. */
export function readInteger(value: unknown, path: string): number {
  const n = readNumber(value, path);
  if (!Number.isInteger(n) || n < 0) {
    throw new ValidationError(path, 'a non-negative integer', value);
  }
  return n;
}

/** Read a string, cut to `MAX_STRING_LENGTH` characters. */
export function readString(value: unknown, path: string): string {
  if (typeof value !== 'string') {
    throw new ValidationError(path, 'a string', value);
  }
  return value.length > MAX_STRING_LENGTH
    ? `${value.slice(0, MAX_STRING_LENGTH - 1)}…`
    : value;
}

/** Read a string or null. */
export function readStringOrNull(value: unknown, path: string): string | null {
  return value === null ? null : readString(value, path);
}

/** Read a boolean or null. */
export function readBooleanOrNull(
  value: unknown,
  path: string
): boolean | null {
  if (value === null || typeof value === 'boolean') {
    return value;
  }
  throw new ValidationError(path, 'a boolean or null', value);
}

/** Read an array, reading each item with `item`; cut to `MAX_LIST_LENGTH`. */
export function readArray<T>(
  value: unknown,
  path: string,
  item: (value: unknown, path: string) => T
): T[] {
  if (!Array.isArray(value)) {
    throw new ValidationError(path, 'a list', value);
  }
  return value
    .slice(0, MAX_LIST_LENGTH)
    .map((entry, i) => item(entry, `${path}[${i}]`));
}

function describe(value: unknown): string {
  if (value === undefined) {
    return 'nothing';
  }
  if (value === null) {
    return 'null';
  }
  if (Array.isArray(value)) {
    return 'a list';
  }
  if (typeof value === 'number' && !Number.isFinite(value)) {
    return String(value);
  }
  if (typeof value === 'string') {
    const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    return `the string ${JSON.stringify(shown)}`;
  }
  return `a ${typeof value}`;
}
