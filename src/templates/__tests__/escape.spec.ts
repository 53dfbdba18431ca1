import {
  integerLiteral,
  markdownText,
  pythonString,
  QuotingError,
  shellWord
} from '../escape';
import hostileValues from './hostile-values.json';

/** Values that have broken quoting somewhere (shared with pytest). */
export const HOSTILE_VALUES = hostileValues as [string, string][];

/** Evaluate a Python string literal the way Python reads the escapes used. */
function evalPython(literal: string): string {
  expect(literal.startsWith("'") && literal.endsWith("'")).toBe(true);
  const body = literal.slice(1, -1);
  // Every quote or backslash inside must be escaped.
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (ch === "'") {
      throw new Error('unescaped quote');
    }
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const next = body[++i];
    const simple: Record<string, string> = {
      '\\': '\\',
      "'": "'",
      n: '\n',
      r: '\r',
      t: '\t'
    };
    if (next in simple) {
      out += simple[next];
    } else {
      const width = { x: 2, u: 4, U: 8 }[next as 'x' | 'u' | 'U'];
      if (!width) {
        throw new Error(`unexpected escape \\${next}`);
      }
      out += String.fromCodePoint(
        parseInt(body.slice(i + 1, i + 1 + width), 16)
      );
      i += width;
    }
  }
  return out;
}

/** Read a shell word made of '...' runs and \' the way sh does. */
function evalShell(word: string): string {
  let out = '';
  let i = 0;
  while (i < word.length) {
    if (word[i] === "'") {
      const end = word.indexOf("'", i + 1);
      expect(end).toBeGreaterThan(i);
      out += word.slice(i + 1, end);
      i = end + 1;
    } else if (word.startsWith("\\'", i)) {
      out += "'";
      i += 2;
    } else {
      throw new Error(`unquoted ${word[i]} in ${word}`);
    }
  }
  return out;
}

describe('pythonString', () => {
  it.each(HOSTILE_VALUES)('%s round-trips', (_, value) => {
    expect(evalPython(pythonString(value))).toBe(value);
  });

  it('keeps printable non-ASCII readable and escapes controls', () => {
    expect(pythonString('é\u0000\u202e\u2028')).toBe("'é\\x00\\u202e\\u2028'");
    expect(pythonString('\u{e0001}')).toBe("'\\U000e0001'");
  });

  it('writes one line', () => {
    for (const [, value] of HOSTILE_VALUES) {
      expect(pythonString(value)).not.toMatch(/[\n\r]/);
    }
  });
});

describe('shellWord', () => {
  it.each(HOSTILE_VALUES)('%s round-trips', (_, value) => {
    expect(evalShell(shellWord(value))).toBe(value);
  });

  it('quotes the empty string', () => {
    expect(shellWord('')).toBe("''");
  });

  it('refuses NUL', () => {
    expect(() => shellWord('a\0b')).toThrow(QuotingError);
  });
});

describe('markdownText', () => {
  it('escapes markdown, HTML and math and keeps one line', () => {
    expect(markdownText('*a* <b> $x$ `c`\nd')).toBe(
      '\\*a\\* \\<b\\> \\$x\\$ \\`c\\` d'
    );
  });
});

describe('integerLiteral', () => {
  it('writes decimal integers only', () => {
    expect(integerLiteral('007')).toBe('7');
    expect(() => integerLiteral('1; import os')).toThrow(QuotingError);
  });
});
