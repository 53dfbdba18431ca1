/**
 * Quoting of values for the exact place they land. Each function returns
 * text that, inserted at its place, means the value and nothing else.
 */

/** Raised when a value cannot be represented where it lands. */
export class QuotingError extends Error {}

// Characters that are escaped in a Python literal even though Python would
// accept them raw: controls, format characters (bidirectional overrides can
// make code read differently than it runs), line and paragraph separators,
// surrogates, private use and unassigned code points.
const PY_UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\p{Co}\p{Cn}]/u;

/**
 * A Python string literal (single-quoted) whose value is exactly `value`.
 *
 * Printable non-ASCII characters stay readable; every other character that
 * is not printable ASCII is written as `\xHH`, `\uHHHH` or `\UHHHHHHHH`.
 */
export function pythonString(value: string): string {
  let out = "'";
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (ch === '\\') {
      out += '\\\\';
    } else if (ch === "'") {
      out += "\\'";
    } else if (ch === '\n') {
      out += '\\n';
    } else if (ch === '\r') {
      out += '\\r';
    } else if (ch === '\t') {
      out += '\\t';
    } else if (PY_UNSAFE.test(ch)) {
      out += pythonCodePointEscape(code);
    } else {
      out += ch;
    }
  }
  return out + "'";
}

function pythonCodePointEscape(code: number): string {
  if (code <= 0xff) {
    return '\\x' + code.toString(16).padStart(2, '0');
  }
  if (code <= 0xffff) {
    return '\\u' + code.toString(16).padStart(4, '0');
  }
  return '\\U' + code.toString(16).padStart(8, '0');
}

/**
 * One POSIX shell word whose value is exactly `value`: single-quoted, with
 * each `'` written as `'\''`. Inside single quotes nothing is expanded, not
 * even backslashes or newlines.
 *
 * #### Notes
 * A NUL byte cannot be part of a shell word (or any argument of a program),
 * so it is refused rather than silently cut.
 */
export function shellWord(value: string): string {
  if (value.includes('\0')) {
    throw new QuotingError('a NUL character cannot be passed to the shell');
  }
  return "'" + value.replace(/'/g, "'\\''") + "'";
}

// CommonMark's escapable ASCII punctuation, plus `$` which JupyterLab reads
// as the start of LaTeX math.
const MD_ESCAPABLE = /[\\`*_{}[\]()#+\-.!|<>~&$]/g;
const MD_CONTROL = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;

/**
 * Markdown text that displays `value` literally: punctuation escaped, line
 * breaks and other control characters shown as one space.
 */
export function markdownText(value: string): string {
  return value
    .replace(/\r\n|\r|\n/g, ' ')
    .replace(MD_CONTROL, ' ')
    .replace(MD_ESCAPABLE, ch => '\\' + ch);
}

/** A decimal integer literal; the value must already be validated. */
export function integerLiteral(value: string): string {
  if (!/^-?\d+$/.test(value)) {
    throw new QuotingError(`${JSON.stringify(value)} is not an integer`);
  }
  return String(Number(value));
}

/** The quoting styles a placeholder can name: `{{py:name}}`. */
export const QUOTERS: Record<string, (value: string) => string> = {
  py: pythonString,
  sh: shellWord,
  md: markdownText,
  int: integerLiteral
};
