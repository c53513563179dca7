// Go's regexp syntax (RE2, regexp/syntax) parsed into a tree for the matcher in regexp.ts: literals,
// escapes, classes (with Perl and POSIX names), anchors, groups (capturing, non-capturing, named), flags
// (?i) (?s) (?m) (?U), alternation and all quantifiers; what Go refuses (backreferences, lookaround,
// repeats over 1000) is refused with Go's words.

import { own } from './own.js';
import { fail } from './runtime.js';

export type Test = (cp: number) => boolean;
export type Assertion = 'begin' | 'end' | 'beginLine' | 'endLine' | 'word' | 'notWord';
export type Node =
  | { t: 'char'; test: Test }
  | { t: 'seq'; items: Node[] }
  | { t: 'alt'; items: Node[] }
  | { t: 'repeat'; node: Node; min: number; max: number }
  | { t: 'assert'; kind: Assertion };

interface Flags {
  i: boolean;
  s: boolean;
  m: boolean;
}

const MAX_REPEAT = 1000;

export const isWordCp = (cp: number): boolean =>
  (cp >= 48 && cp <= 57) || (cp >= 65 && cp <= 90) || (cp >= 97 && cp <= 122) || cp === 95;
const isDigit = (cp: number): boolean => cp >= 48 && cp <= 57;
const isSpace = (cp: number): boolean => cp === 32 || (cp >= 9 && cp <= 13 && cp !== 11) || cp === 11;

const POSIX: Readonly<Record<string, Test>> = {
  alnum: (c) => isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122),
  alpha: (c) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122),
  ascii: (c) => c <= 0x7f,
  blank: (c) => c === 32 || c === 9,
  cntrl: (c) => c <= 0x1f || c === 0x7f,
  digit: isDigit,
  graph: (c) => c >= 0x21 && c <= 0x7e,
  lower: (c) => c >= 97 && c <= 122,
  print: (c) => c >= 0x20 && c <= 0x7e,
  punct: (c) =>
    (c >= 0x21 && c <= 0x2f) ||
    (c >= 0x3a && c <= 0x40) ||
    (c >= 0x5b && c <= 0x60) ||
    (c >= 0x7b && c <= 0x7e),
  space: (c) => c === 32 || (c >= 9 && c <= 13),
  upper: (c) => c >= 65 && c <= 90,
  word: isWordCp,
  xdigit: (c) => isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102),
};

const PERL: Readonly<Record<string, Test>> = {
  d: isDigit,
  D: (c) => !isDigit(c),
  w: isWordCp,
  W: (c) => !isWordCp(c),
  s: isSpace,
  S: (c) => !isSpace(c),
};

/** Simple case folding: the code point and its upper and lower forms. */
function fold(cp: number): number[] {
  const ch = String.fromCodePoint(cp);
  const forms = [ch.toLowerCase(), ch.toUpperCase()].filter((f) => [...f].length === 1);
  return [...new Set([cp, ...forms.map((f) => f.codePointAt(0) ?? cp)])];
}

const caseless = (test: Test, flags: Flags): Test => (flags.i ? (cp) => fold(cp).some((f) => test(f)) : test);

export class RegexpParser {
  private pos = 0;
  private readonly cps: number[];

  constructor(private readonly pattern: string) {
    this.cps = [...pattern].map((c) => c.codePointAt(0) ?? 0);
  }

  private error(detail: string): never {
    return fail(`error parsing regexp: ${detail}: \`${this.pattern}\``);
  }

  private peek(offset = 0): string | undefined {
    const cp = this.cps[this.pos + offset];
    return cp === undefined ? undefined : String.fromCodePoint(cp);
  }

  parse(): Node {
    const node = this.alternation({ i: false, s: false, m: false });
    if (this.pos < this.cps.length) this.error('unexpected )');
    return node;
  }

  private alternation(flags: Flags): Node {
    const items = [this.sequence(flags)];
    while (this.peek() === '|') {
      this.pos += 1;
      items.push(this.sequence(flags));
    }
    return items.length === 1 ? (items[0] as Node) : { t: 'alt', items };
  }

  private sequence(flags: Flags): Node {
    const items: Node[] = [];
    for (;;) {
      const c = this.peek();
      if (c === undefined || c === '|' || c === ')') break;
      if (c === '(' && this.peek(1) === '?' && this.setFlags(flags)) continue;
      const atom = this.atom(flags);
      items.push(this.quantified(atom));
    }
    return { t: 'seq', items };
  }

  /** `(?flags)` alone changes the flags for the rest of the group; returns false for `(?flags:…)`. */
  private setFlags(flags: Flags): boolean {
    let at = this.pos + 2;
    let on = true;
    const changes: [keyof Flags | 'U', boolean][] = [];
    for (;;) {
      const c = this.cps[at] === undefined ? undefined : String.fromCodePoint(this.cps[at] as number);
      if (c === ')') {
        if (changes.length === 0) this.error('missing argument to repetition operator');
        for (const [flag, value] of changes) if (flag !== 'U') flags[flag] = value;
        this.pos = at + 1;
        return true;
      }
      if (c === ':') return false;
      if (c === '-' && on) on = false;
      else if (c === 'i' || c === 's' || c === 'm' || c === 'U') changes.push([c, on]);
      else if (c === 'P' || c === '<') return false;
      else this.error(`invalid or unsupported Perl syntax: \`(?${c ?? ''}\``);
      at += 1;
    }
  }

  private quantified(atom: Node): Node {
    let node = atom;
    for (;;) {
      const c = this.peek();
      let min: number;
      let max: number;
      if (c === '*' || c === '+' || c === '?') {
        this.pos += 1;
        [min, max] = c === '*' ? [0, Infinity] : c === '+' ? [1, Infinity] : [0, 1];
      } else if (c === '{') {
        const bounds = this.braces();
        if (bounds === undefined) return node;
        [min, max] = bounds;
      } else {
        return node;
      }
      if (this.peek() === '?') this.pos += 1; // lazy: the same matches, only the spans differ
      if (node.t === 'repeat') this.error(`invalid nested repetition operator: \`${c}\``);
      if (node.t === 'seq' && node.items.length === 0)
        this.error(`missing argument to repetition operator: \`${c}\``);
      node = { t: 'repeat', node, min, max };
    }
  }

  /** `{n}`, `{n,}`, `{n,m}`; anything else is a literal `{`, as in Go. */
  private braces(): [number, number] | undefined {
    const rest = this.pattern.slice([...this.pattern].slice(0, this.pos).join('').length);
    const found = /^\{(\d+)(,(\d*))?\}/.exec(rest);
    if (found === null) return undefined;
    this.pos += found[0].length;
    const min = Number(found[1]);
    const max = found[2] === undefined ? min : found[3] === '' ? Infinity : Number(found[3]);
    if (min > MAX_REPEAT || (max !== Infinity && max > MAX_REPEAT) || max < min) {
      this.error(`invalid repeat count: \`${found[0]}\``);
    }
    return [min, max];
  }

  private atom(flags: Flags): Node {
    const c = this.peek();
    this.pos += 1;
    switch (c) {
      case '(':
        return this.group(flags);
      case '[':
        return { t: 'char', test: caseless(this.charClass(), flags) };
      case '.':
        return { t: 'char', test: flags.s ? () => true : (cp) => cp !== 10 };
      case '^':
        return { t: 'assert', kind: flags.m ? 'beginLine' : 'begin' };
      case '$':
        return { t: 'assert', kind: flags.m ? 'endLine' : 'end' };
      case '*':
      case '+':
      case '?':
        return this.error(`missing argument to repetition operator: \`${c}\``);
      case '\\':
        return this.escape(flags);
      default: {
        const cp = this.cps[this.pos - 1] ?? 0;
        return { t: 'char', test: caseless((x) => x === cp, flags) };
      }
    }
  }

  private group(outer: Flags): Node {
    const flags = { ...outer };
    if (this.peek() === '?') {
      const rest = String.fromCodePoint(...this.cps.slice(this.pos, this.pos + 40));
      const named = /^\?P?<([A-Za-z0-9_]+)>/.exec(rest);
      if (named !== null) {
        this.pos += named[0].length;
      } else {
        const scoped = /^\?(-?[imsU]+|[imsU]+-[imsU]*):/.exec(rest);
        if (scoped === null) this.error(`invalid or unsupported Perl syntax: \`(${rest.slice(0, 2)}\``);
        let on = true;
        for (const ch of scoped[1] ?? '') {
          if (ch === '-') on = false;
          else if (ch === 'i' || ch === 's' || ch === 'm') flags[ch] = on;
        }
        this.pos += scoped[0].length;
      }
    }
    const node = this.alternation(flags);
    if (this.peek() !== ')') this.error('missing closing )');
    this.pos += 1;
    return node;
  }

  private escape(flags: Flags): Node {
    const c = this.peek();
    if (c === undefined) return this.error('trailing backslash at end of expression');
    if (c === 'A' || c === 'z' || c === 'b' || c === 'B') {
      this.pos += 1;
      const kind: Assertion = c === 'A' ? 'begin' : c === 'z' ? 'end' : c === 'b' ? 'word' : 'notWord';
      return { t: 'assert', kind };
    }
    return { t: 'char', test: caseless(this.escapedTest(), flags) };
  }

  /** After a `\`: a Perl class (\d) as a test, or one code point (\n, \x41, \x{263a}, \101, \.). */
  private escaped(): number | Test {
    const c = this.peek() ?? '';
    this.pos += 1;
    const perl = own(PERL, c);
    if (perl !== undefined) return perl;
    const controls: Record<string, number> = { a: 7, f: 12, t: 9, n: 10, r: 13, v: 11 };
    const control = own(controls, c);
    if (control !== undefined) return control;
    const rest = String.fromCodePoint(...this.cps.slice(this.pos, this.pos + 12));
    if (c === 'x') {
      const hex = /^(?:\{([0-9a-fA-F]{1,8})\}|([0-9a-fA-F]{2}))/.exec(rest);
      if (hex === null) return this.error('invalid escape sequence: `\\x`');
      this.pos += hex[0].length;
      return parseInt(hex[1] ?? hex[2] ?? '0', 16);
    }
    // Go: \0 and \1-\7 followed by another octal digit are octal codes; \1 alone would be a backreference.
    if (c === '0' || (c >= '1' && c <= '7' && /^[0-7]/.test(rest))) {
      const octal = /^[0-7]{0,2}/.exec(rest)?.[0] ?? '';
      this.pos += octal.length;
      return parseInt(c + octal, 8);
    }
    if (/^[!-/:-@[-`{-~]$/.test(c)) return c.codePointAt(0) ?? 0;
    return this.error(`invalid escape sequence: \`\\${c}\``);
  }

  private escapedTest(): Test {
    const value = this.escaped();
    return typeof value === 'number' ? (cp) => cp === value : value;
  }

  private charClass(): Test {
    const negate = this.peek() === '^';
    if (negate) this.pos += 1;
    const tests: Test[] = [];
    let first = true;
    for (;;) {
      const c = this.peek();
      if (c === undefined) return this.error('missing closing ]');
      if (c === ']' && !first) break;
      first = false;
      const rest = String.fromCodePoint(...this.cps.slice(this.pos, this.pos + 40));
      const posix = /^\[:(\^?)([a-z]+):\]/.exec(rest);
      if (posix !== null) {
        const test = own(POSIX, posix[2] ?? '');
        if (test === undefined) this.error(`invalid character class range: \`${posix[0]}\``);
        this.pos += posix[0].length;
        tests.push(posix[1] === '^' ? (cp) => !test(cp) : test);
        continue;
      }
      const low = this.classChar();
      if (typeof low !== 'number') {
        tests.push(low);
        continue;
      }
      if (this.peek() === '-' && this.peek(1) !== ']' && this.peek(1) !== undefined) {
        this.pos += 1;
        const high = this.classChar();
        if (typeof high !== 'number' || high < low) this.error('invalid character class range');
        tests.push((cp) => cp >= low && cp <= high);
      } else {
        tests.push((cp) => cp === low);
      }
    }
    this.pos += 1;
    return negate ? (cp) => !tests.some((t) => t(cp)) : (cp) => tests.some((t) => t(cp));
  }

  /** One member of a class: a code point, or a test for an escaped Perl class (\d). */
  private classChar(): number | Test {
    if (this.peek() === '\\') {
      this.pos += 1;
      return this.escaped();
    }
    const cp = this.cps[this.pos] ?? 0;
    this.pos += 1;
    return cp;
  }
}
