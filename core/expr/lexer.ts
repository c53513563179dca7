// Splits a condition into tokens the way expr-lang's lexer does (parser/lexer/state.go): numbers with
// `_` separators and 0x/0o/0b prefixes, '…' "…" and `…` strings, `#` pointers, `//` and `/* */`
// comments, and the word operators (and, or, not, in, contains, startsWith, endsWith, matches).

import { ExpressionSyntaxError } from './errors.js';

export type TokenKind = 'number' | 'string' | 'identifier' | 'operator' | 'bracket' | 'pointer' | 'eof';

export interface Token {
  kind: TokenKind;
  /** Strings: the unescaped value; pointers: the name after `#` ('' for a bare `#`); else the text. */
  value: string;
  /** Offset of the token's first UTF-16 unit in the text. */
  start: number;
  end: number;
}

const WORD_OPERATORS = new Set([
  'and',
  'or',
  'not',
  'in',
  'contains',
  'startsWith',
  'endsWith',
  'matches',
  'let',
  'if',
  'else',
]);
const TWO_CHAR_OPERATORS = new Set(['&&', '||', '==', '!=', '<=', '>=', '**', '??', '?.', '..']);
// `=`, `&` and `;` are no operators of ours: the parser reports them as unexpected, with a hint.
const ONE_CHAR_OPERATORS = new Set([...'+-*/%^<>!?:,.|;=&']);
const BRACKETS = new Set(['(', ')', '[', ']', '{', '}']);

/** Letters, decimal digits, `_` and `$`, like expr-lang's utils.IsAlphaNumeric. */
const WORD_CHAR = /^[\p{L}\p{Nd}_$]$/u;
const DIGIT = /^[0-9]$/;

/** 1-based line and column (in code points) of an offset. */
export function locate(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lineStart = before.lastIndexOf('\n') + 1;
  const line = before.split('\n').length;
  return { line, column: [...before.slice(lineStart)].length + 1 };
}

export function syntaxError(text: string, offset: number, detail: string): ExpressionSyntaxError {
  const { line, column } = locate(text, offset);
  return new ExpressionSyntaxError(detail, line, column, text.includes('\n'));
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;

  const charAt = (at: number): string => {
    const code = text.codePointAt(at);
    return code === undefined ? '' : String.fromCodePoint(code);
  };
  const isWordChar = (char: string): boolean => char !== '' && WORD_CHAR.test(char);
  const push = (kind: TokenKind, value: string, start: number): void => {
    tokens.push({ kind, value, start, end: pos });
  };

  while (pos < text.length) {
    const start = pos;
    const char = charAt(pos);
    const next = charAt(pos + 1);

    if (/\s/.test(char)) {
      pos += char.length;
    } else if (char === '/' && next === '/') {
      const end = text.indexOf('\n', pos);
      pos = end === -1 ? text.length : end;
    } else if (char === '/' && next === '*') {
      const end = text.indexOf('*/', pos + 2);
      if (end === -1) throw syntaxError(text, start, 'comment is not closed');
      pos = end + 2;
    } else if (char === "'" || char === '"') {
      pos = scanString(text, pos, char);
      push('string', unescape(text, start), start);
    } else if (char === '`') {
      const end = text.indexOf('`', pos + 1);
      if (end === -1) throw syntaxError(text, start, 'string is not closed');
      pos = end + 1;
      push('string', text.slice(start + 1, end), start);
    } else if (DIGIT.test(char) || (char === '.' && DIGIT.test(next))) {
      pos = scanNumber(text, pos);
      if (isWordChar(charAt(pos))) {
        throw syntaxError(text, start, `bad number syntax: "${text.slice(start, pos + 1)}"`);
      }
      push('number', text.slice(start, pos), start);
    } else if (char === '#') {
      pos += 1;
      while (isWordChar(charAt(pos))) pos += charAt(pos).length;
      push('pointer', text.slice(start + 1, pos), start);
    } else if (isWordChar(char)) {
      while (isWordChar(charAt(pos))) pos += charAt(pos).length;
      const word = text.slice(start, pos);
      push(WORD_OPERATORS.has(word) ? 'operator' : 'identifier', word, start);
    } else if (BRACKETS.has(char)) {
      pos += 1;
      push('bracket', char, start);
    } else if (
      TWO_CHAR_OPERATORS.has(char + next) &&
      !(char === '?' && next === '.' && DIGIT.test(charAt(pos + 2)))
    ) {
      // `a ? .5 : 1` is a ternary with a number, not an optional member access.
      pos += 2;
      push('operator', char + next, start);
    } else if (ONE_CHAR_OPERATORS.has(char)) {
      pos += 1;
      push('operator', char, start);
    } else {
      throw syntaxError(text, start, `unrecognized character ${JSON.stringify(char)}`);
    }
  }
  tokens.push({ kind: 'eof', value: '', start: text.length, end: text.length });
  return tokens;
}

/** expr-lang's scanNumber: digits with `_`, a radix prefix, a fraction (not before `..`), an exponent. */
function scanNumber(text: string, start: number): number {
  let pos = start;
  let digits = /^[0-9_]$/;
  const accept = (allowed: string): boolean => {
    if (pos < text.length && allowed.includes(text[pos] ?? '')) {
      pos += 1;
      return true;
    }
    return false;
  };
  const acceptRun = (pattern: RegExp): void => {
    while (pos < text.length && pattern.test(text[pos] ?? '')) pos += 1;
  };
  if (accept('0')) {
    if (accept('xX')) digits = /^[0-9a-fA-F_]$/;
    else if (accept('oO')) digits = /^[0-7_]$/;
    else if (accept('bB')) digits = /^[01_]$/;
  }
  acceptRun(digits);
  if (text[pos] === '.' && text[pos + 1] !== '.') {
    pos += 1;
    acceptRun(digits);
  }
  if (accept('eE')) {
    accept('+-');
    acceptRun(digits);
  }
  return pos;
}

/** The offset just after the closing quote. Quoted strings cannot span lines (expr-lang neither). */
function scanString(text: string, start: number, quote: string): number {
  let pos = start + 1;
  while (pos < text.length) {
    const char = text[pos];
    if (char === '\\') pos += 2;
    else if (char === quote) return pos + 1;
    else if (char === '\n') break;
    else pos += 1;
  }
  throw syntaxError(text, start, 'string is not closed');
}

const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  "'": "'",
  '"': '"',
};

/** Escapes written as digits: how many, in which base, and the largest value allowed. */
const NUMERIC_ESCAPES: Record<string, { width: number; base: number; max: number }> = {
  x: { width: 2, base: 16, max: 0xff },
  u: { width: 4, base: 16, max: 0xffff },
  U: { width: 8, base: 16, max: 0x10ffff },
};
const OCTAL_ESCAPE = { width: 3, base: 8, max: 0o377 };

/** Go's escapes, as expr-lang's unescape accepts them: \n \t …, \xHH, \uHHHH, \UHHHHHHHH, \ooo. */
function unescape(text: string, start: number): string {
  const quote = text[start] ?? '';
  let out = '';
  let pos = start + 1;
  for (;;) {
    const char = text[pos] ?? quote;
    if (char === quote) return out;
    if (char !== '\\') {
      out += char;
      pos += 1;
      continue;
    }
    const kind = text[pos + 1] ?? '';
    if (Object.prototype.hasOwnProperty.call(SIMPLE_ESCAPES, kind)) {
      out += SIMPLE_ESCAPES[kind] ?? '';
      pos += 2;
      continue;
    }
    const octal = /^[0-7]$/.test(kind);
    const numeric = octal ? OCTAL_ESCAPE : NUMERIC_ESCAPES[kind];
    const digitsAt = octal ? pos + 1 : pos + 2;
    const digits = numeric === undefined ? '' : text.slice(digitsAt, digitsAt + numeric.width);
    const pattern = octal ? /^[0-7]+$/ : /^[0-9a-fA-F]+$/;
    const code = numeric !== undefined && pattern.test(digits) ? parseInt(digits, numeric.base) : NaN;
    const surrogate = code >= 0xd800 && code <= 0xdfff;
    if (numeric === undefined || digits.length !== numeric.width || !(code <= numeric.max) || surrogate) {
      const written = text.slice(pos, numeric === undefined ? pos + 2 : digitsAt + numeric.width);
      throw syntaxError(text, pos, `invalid escape ${JSON.stringify(written)} in string`);
    }
    out += String.fromCodePoint(code);
    pos = digitsAt + numeric.width;
  }
}
