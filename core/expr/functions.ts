// The functions a condition may call: expr-lang's builtins (len, the predicates, the number helpers
// here; strings, maps, arrays, JSON, bits and times in builtins-more.ts and builtins-data.ts) and the
// six Argo adds (utils/evaluate/evaluate.go: isNaN, isInf, isNil, default, asInt, asFloat). Arity is
// checked when the condition is parsed, so lint catches `len(a, b)`; types when it is evaluated.

import { DATA_FUNCTIONS } from './builtins-data.js';
import { MORE_FUNCTIONS } from './builtins-more.js';
import { asArray, asBoolean, asNumber, describe, fail, length, nil } from './runtime.js';

/** What a function gets: its arguments, evaluated on demand, and its predicate, run per element. */
export interface Call {
  readonly name: string;
  readonly count: number;
  /** The whole measurement: Argo's isNil and default look at it, whatever their first argument. */
  readonly result: unknown;
  /** The rules of analysis runs begun before they followed Argo's (see evaluateConditionAsBefore). */
  readonly legacy?: boolean;
  value(index: number): unknown;
  /** Runs the predicate (argument `index`) with `#` = element, `#index` = position, `#acc` = acc. */
  predicate(index: number, element: unknown, position: number, acc?: unknown): unknown;
}

export interface FunctionSpec {
  min: number;
  max: number;
  /** The second argument is a predicate: `{# > 1}` or bare `# > 1`, evaluated per element. */
  predicate?: boolean;
  /** How a call reads, for arity errors. */
  signature: string;
  /** The most arguments the rules before Argo's took, where that was more (isInf's sign). */
  legacyMax?: number;
  apply(call: Call): unknown;
}

const INT64_LIMIT = 2 ** 63;
const PREDICATE = { min: 2, max: 2, predicate: true } as const;

/** Go's strconv.ParseInt(s, 10, 64). */
function parseGoInt(text: string, name: string): number {
  const value = /^[+-]?[0-9]+$/.test(text) ? Number(text) : NaN;
  if (Number.isNaN(value) || value >= INT64_LIMIT || value < -INT64_LIMIT) {
    fail(`${name}() cannot parse ${JSON.stringify(text)} as an integer`);
  }
  return value;
}

/** Go's strconv.ParseFloat(s, 64), decimal forms: "1.5", ".5", "1e3", "+Inf", "NaN", "infinity". */
function parseGoFloat(text: string, name: string): number {
  if (/^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/.test(text)) {
    const value = Number(text);
    if (Number.isFinite(value)) return value;
  } else if (/^[+-]?inf(?:inity)?$/i.test(text)) {
    return text.startsWith('-') ? -Infinity : Infinity;
  } else if (/^nan$/i.test(text)) {
    return NaN;
  }
  return fail(`${name}() cannot parse ${JSON.stringify(text)} as a number`);
}

/**
 * A whole number from a float, as Go's int64(x) makes it on amd64, where Argo runs: NaN, ±Inf and
 * anything out of range become the smallest int64 (Go leaves it to the CPU, which answers that).
 */
function truncate(value: number, call: Call): number {
  if (!Number.isFinite(value) || Math.abs(value) >= INT64_LIMIT) {
    if (call.legacy === true) fail(`${call.name}() cannot convert ${describe(value)} to an integer`);
    return -INT64_LIMIT;
  }
  return Math.trunc(value) + 0; // + 0 turns -0 into 0
}

function first(call: Call): unknown {
  return call.value(0);
}

function items(call: Call): unknown[] {
  return asArray(call.value(0), `the first argument of ${call.name}()`);
}

function holds(call: Call, element: unknown, position: number): boolean {
  return asBoolean(call.predicate(1, element, position), `the predicate of ${call.name}()`);
}

/** Every number among the arguments, arrays flattened (expr-lang's max, min, mean, median, sum). */
function numbers(call: Call, values: unknown[]): number[] {
  const out: number[] = [];
  const add = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(add);
    else out.push(asNumber(value, `an argument of ${call.name}()`));
  };
  values.forEach(add);
  return out;
}

function argumentList(call: Call): unknown[] {
  return Array.from({ length: call.count }, (_, index) => call.value(index));
}

/** expr-lang's minMax: the first value, replaced by each later one that `better` prefers (NaN never). */
function extreme(call: Call, better: (candidate: number, best: number) => boolean): unknown {
  let best: number | undefined;
  for (const value of numbers(call, argumentList(call))) {
    if (best === undefined || better(value, best)) best = value;
  }
  return best ?? null;
}

function mathFunction(name: string, apply: (value: number) => number): FunctionSpec {
  return {
    min: 1,
    max: 1,
    signature: `${name}(number)`,
    apply: (call) => apply(asNumber(first(call), `the argument of ${name}()`)),
  };
}

function findFunction(name: string, fromEnd: boolean, wantIndex: boolean): FunctionSpec {
  return {
    ...PREDICATE,
    signature: `${name}(array, predicate)`,
    apply: (call) => {
      const list = items(call);
      for (let step = 0; step < list.length; step += 1) {
        const position = fromEnd ? list.length - 1 - step : step;
        const element = nil(list[position]);
        if (holds(call, element, position)) return wantIndex ? position : element;
      }
      if (!wantIndex) return null;
      if (call.legacy === true) return -1;
      // expr-lang v1.17.7 (Argo's) leaves a missing index nil where an int is expected: any use fails.
      return fail(`${name}() found no element, and Argo's expr-lang gives no index then`);
    },
  };
}

export const FUNCTIONS: Readonly<Record<string, FunctionSpec>> = {
  len: {
    min: 1,
    max: 1,
    signature: 'len(array | string | map)',
    apply: (call) => length(first(call), 'the argument of len()'),
  },

  // Predicates: the closure runs once per element, so every loop is bounded by the data.
  all: {
    ...PREDICATE,
    signature: 'all(array, predicate)',
    apply: (call) => items(call).every((element, index) => holds(call, nil(element), index)),
  },
  any: {
    ...PREDICATE,
    signature: 'any(array, predicate)',
    apply: (call) => items(call).some((element, index) => holds(call, nil(element), index)),
  },
  none: {
    ...PREDICATE,
    signature: 'none(array, predicate)',
    apply: (call) => !items(call).some((element, index) => holds(call, nil(element), index)),
  },
  one: {
    ...PREDICATE,
    signature: 'one(array, predicate)',
    apply: (call) => items(call).filter((element, index) => holds(call, nil(element), index)).length === 1,
  },
  filter: {
    ...PREDICATE,
    signature: 'filter(array, predicate)',
    apply: (call) =>
      items(call)
        .filter((element, index) => holds(call, nil(element), index))
        .map(nil),
  },
  map: {
    ...PREDICATE,
    signature: 'map(array, predicate)',
    apply: (call) => items(call).map((element, index) => nil(call.predicate(1, nil(element), index))),
  },
  count: {
    min: 1,
    max: 2,
    predicate: true,
    signature: 'count(array[, predicate])',
    apply: (call) =>
      items(call).filter((element, index) =>
        call.count > 1
          ? holds(call, nil(element), index)
          : asBoolean(nil(element), 'an element counted without a predicate'),
      ).length,
  },
  sum: {
    min: 1,
    max: 2,
    predicate: true,
    signature: 'sum(array[, predicate])',
    apply: (call) => {
      const list = items(call);
      const values =
        call.count > 1 ? list.map((element, index) => call.predicate(1, nil(element), index)) : list;
      return numbers(call, values).reduce((total, value) => total + value, 0);
    },
  },
  find: findFunction('find', false, false),
  findIndex: findFunction('findIndex', false, true),
  findLast: findFunction('findLast', true, false),
  findLastIndex: findFunction('findLastIndex', true, true),
  first: {
    min: 1,
    max: 1,
    signature: 'first(array)',
    apply: (call) => nil(items(call)[0]),
  },
  last: {
    min: 1,
    max: 1,
    signature: 'last(array)',
    apply: (call) => {
      const list = items(call);
      return nil(list[list.length - 1]);
    },
  },

  // Numbers.
  abs: mathFunction('abs', Math.abs),
  ceil: mathFunction('ceil', Math.ceil),
  floor: mathFunction('floor', Math.floor),
  // Go's math.Round: halves away from zero (Math.round takes -2.5 to -2).
  round: mathFunction('round', (value) => Math.sign(value) * Math.round(Math.abs(value))),
  max: {
    min: 1,
    max: Infinity,
    signature: 'max(number | array, …)',
    apply: (call) => extreme(call, (candidate, best) => candidate > best),
  },
  min: {
    min: 1,
    max: Infinity,
    signature: 'min(number | array, …)',
    apply: (call) => extreme(call, (candidate, best) => candidate < best),
  },
  mean: {
    min: 1,
    max: Infinity,
    signature: 'mean(number | array, …)',
    apply: (call) => {
      const values = numbers(call, argumentList(call));
      return values.length === 0 ? 0 : values.reduce((total, value) => total + value, 0) / values.length;
    },
  },
  median: {
    min: 1,
    max: Infinity,
    signature: 'median(number | array, …)',
    apply: (call) => {
      const values = numbers(call, argumentList(call)).sort((a, b) =>
        Number.isNaN(a) ? -1 : Number.isNaN(b) ? 1 : a < b ? -1 : a > b ? 1 : 0,
      );
      if (values.length === 0) return 0;
      const middle = Math.floor(values.length / 2);
      const upper = values[middle] ?? 0;
      return values.length % 2 === 1 ? upper : ((values[middle - 1] ?? 0) + upper) / 2;
    },
  },
  int: {
    min: 1,
    max: 1,
    signature: 'int(number | string)',
    apply: (call) => {
      const value = first(call);
      if (typeof value === 'string') return parseGoInt(value, 'int');
      return truncate(asNumber(value, 'the argument of int()'), call);
    },
  },
  float: {
    min: 1,
    max: 1,
    signature: 'float(number | string)',
    apply: (call) => {
      const value = first(call);
      return typeof value === 'string'
        ? parseGoFloat(value, 'float')
        : asNumber(value, 'the argument of float()');
    },
  },

  // Argo's own (utils/evaluate/evaluate.go).
  isNaN: {
    min: 1,
    max: 1,
    signature: 'isNaN(number)',
    apply: (call) => Number.isNaN(asNumber(first(call), 'the argument of isNaN()')),
  },
  isInf: {
    // Argo's isInf(f) is math.IsInf(f, 0): one argument, either infinity.
    min: 1,
    max: 1,
    signature: 'isInf(number)',
    legacyMax: 2,
    apply: (call) => {
      const value = asNumber(first(call), 'the argument of isInf()');
      // The rules before Argo's took Go's math.IsInf(f, sign): > 0 +Inf, < 0 -Inf, 0 either.
      const sign =
        call.legacy === true && call.count > 1 ? asNumber(call.value(1), 'the sign of isInf()') : 0;
      return sign > 0 ? value === Infinity : sign < 0 ? value === -Infinity : Math.abs(value) === Infinity;
    },
  },
  // Argo's isNil and default (utils/evaluate) look at the whole measurement, whatever their first
  // argument: isNil(result.rate) asks whether the result is nil, and default(result.rate, 0) is the
  // result itself unless that is nil. The argument is still evaluated (its errors are errors).
  isNil: {
    min: 1,
    max: 1,
    signature: 'isNil(value)',
    apply: (call) => {
      const value = first(call);
      return (call.legacy === true ? value : call.result) === null;
    },
  },
  default: {
    min: 2,
    max: 2,
    signature: 'default(value, fallback)',
    apply: (call) => {
      const value = first(call);
      // The rules before Argo's looked at the argument itself.
      const looked = call.legacy === true ? value : call.result;
      return looked === null ? call.value(1) : looked;
    },
  },
  asInt: {
    min: 1,
    max: 1,
    signature: 'asInt(number | string)',
    apply: (call) => {
      const value = first(call);
      if (typeof value === 'string') return parseGoInt(value, 'asInt');
      if (typeof value === 'number') return truncate(value, call);
      return fail(`asInt() needs a number or a string, got ${describe(value)}`);
    },
  },
  asFloat: {
    min: 1,
    max: 1,
    signature: 'asFloat(number | string)',
    apply: (call) => {
      const value = first(call);
      if (typeof value === 'string') return parseGoFloat(value, 'asFloat');
      if (typeof value === 'number') return value;
      return fail(`asFloat() needs a number or a string, got ${describe(value)}`);
    },
  },
};

export function functionSpec(name: string): FunctionSpec | undefined {
  if (Object.prototype.hasOwnProperty.call(MORE_FUNCTIONS, name)) return MORE_FUNCTIONS[name];
  if (Object.prototype.hasOwnProperty.call(DATA_FUNCTIONS, name)) return DATA_FUNCTIONS[name];
  return Object.prototype.hasOwnProperty.call(FUNCTIONS, name) ? FUNCTIONS[name] : undefined;
}
