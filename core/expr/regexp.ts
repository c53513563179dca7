// Go's regexp (RE2 syntax) for the `matches` operator: parsed by regexp-syntax.ts and run by a Pike
// VM, so a match takes time linear in the text for any pattern (JavaScript's backtracking RegExp can
// take exponential time, and the workflow would hang).

import { isWordCp, RegexpParser, type Assertion, type Node, type Test } from './regexp-syntax.js';
import { fail } from './runtime.js';

const MAX_PROGRAM = 100_000;

type Instruction =
  | { op: 'char'; test: Test }
  | { op: 'split'; a: number; b: number }
  | { op: 'jmp'; to: number }
  | { op: 'assert'; kind: Assertion }
  | { op: 'match' };

function compile(node: Node, program: Instruction[]): void {
  if (program.length > MAX_PROGRAM) fail('regexp too large');
  switch (node.t) {
    case 'char':
      program.push({ op: 'char', test: node.test });
      return;
    case 'assert':
      program.push({ op: 'assert', kind: node.kind });
      return;
    case 'seq':
      node.items.forEach((item) => compile(item, program));
      return;
    case 'alt': {
      const jumps: { op: 'jmp'; to: number }[] = [];
      node.items.forEach((item, index) => {
        if (index < node.items.length - 1) {
          const split: Instruction = { op: 'split', a: program.length + 1, b: 0 };
          program.push(split);
          compile(item, program);
          const jump = { op: 'jmp' as const, to: 0 };
          program.push(jump);
          jumps.push(jump);
          split.b = program.length;
        } else {
          compile(item, program);
        }
      });
      jumps.forEach((jump) => (jump.to = program.length));
      return;
    }
    case 'repeat': {
      for (let i = 0; i < node.min; i += 1) compile(node.node, program);
      if (node.max === Infinity) {
        const split: Instruction = { op: 'split', a: program.length + 1, b: 0 };
        const start = program.length;
        program.push(split);
        compile(node.node, program);
        program.push({ op: 'jmp', to: start });
        split.b = program.length;
        return;
      }
      const splits: { op: 'split'; a: number; b: number }[] = [];
      for (let i = node.min; i < node.max; i += 1) {
        const split = { op: 'split' as const, a: program.length + 1, b: 0 };
        program.push(split);
        splits.push(split);
        compile(node.node, program);
      }
      splits.forEach((split) => (split.b = program.length));
    }
  }
}

function holds(kind: Assertion, cps: number[], at: number): boolean {
  const before = cps[at - 1];
  const after = cps[at];
  switch (kind) {
    case 'begin':
      return at === 0;
    case 'end':
      return at === cps.length;
    case 'beginLine':
      return at === 0 || before === 10;
    case 'endLine':
      return at === cps.length || after === 10;
    case 'word':
    case 'notWord': {
      const boundary =
        (before !== undefined && isWordCp(before)) !== (after !== undefined && isWordCp(after));
      return kind === 'word' ? boundary : !boundary;
    }
  }
}

/** Compiles a Go regular expression; throws an ExpressionEvalError where Go's regexp.Compile fails. */
export function compileRegexp(pattern: string): (text: string) => boolean {
  const program: Instruction[] = [];
  compile(new RegexpParser(pattern).parse(), program);
  program.push({ op: 'match' });
  return (text) =>
    run(
      program,
      [...text].map((c) => c.codePointAt(0) ?? 0),
    );
}

/** Pike VM: every thread advances one code point at a time, so the work is program × text at most. */
function run(program: Instruction[], cps: number[]): boolean {
  let current = new Set<number>();
  const add = (set: Set<number>, pc: number, at: number): boolean => {
    if (set.has(pc)) return false;
    set.add(pc);
    const ins = program[pc];
    if (ins === undefined) return false;
    switch (ins.op) {
      case 'match':
        return true;
      case 'jmp':
        return add(set, ins.to, at);
      case 'split':
        return add(set, ins.a, at) || add(set, ins.b, at);
      case 'assert':
        return holds(ins.kind, cps, at) && add(set, pc + 1, at);
      case 'char':
        return false;
    }
  };
  for (let at = 0; at <= cps.length; at += 1) {
    // Unanchored: a new thread starts at every position.
    if (add(current, 0, at)) return true;
    if (at === cps.length) break;
    const next = new Set<number>();
    const cp = cps[at] ?? 0;
    for (const pc of current) {
      const ins = program[pc];
      if (ins?.op === 'char' && ins.test(cp) && add(next, pc + 1, at + 1)) return true;
    }
    current = next;
  }
  return false;
}
