// One shape for every manifest problem, so that lint, apply and the tests print and match them alike.
// The message alone is enough for a user: file, object, field path, what was found, what was expected.

import { shorten } from '../text.js';

export interface ManifestError {
  file: string;
  /** 0-based index of the YAML document in the file. */
  document: number;
  /** The object's kind; '' when the document has none (or is not YAML at all). */
  kind: string;
  /** '' for cluster-scoped objects and documents without an object. */
  namespace: string;
  /** metadata.name; '' when missing. */
  name: string;
  /** Dotted field path with [i] indexes, e.g. `spec.strategy.canary.steps[2].setWeight`; '' for the document. */
  path: string;
  /** The offending value as written (JSON-ish, shortened), or `missing`. */
  found: string;
  /** What would have been accepted. */
  expected: string;
  message: string;
  /** 1-based line of the field (or of its nearest written parent), when known. */
  line?: number;
}

export type PathSegment = string | number;
export type FieldPath = readonly PathSegment[];

/** The object an error belongs to; filled in as soon as each part is known. */
export interface ObjectContext {
  file: string;
  document: number;
  kind: string;
  namespace: string;
  name: string;
  lineOf?: (path: FieldPath) => number | undefined;
}

const PLAIN_KEY = /^[A-Za-z_$][\w$-]*$/;

export function formatPath(path: FieldPath): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (PLAIN_KEY.test(segment)) text += text === '' ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`; // label keys such as app.kubernetes.io/name
  }
  return text;
}

/** A value as the user wrote it, short enough for one line. */
export function render(value: unknown): string {
  if (value === undefined) return 'missing';
  return shorten(JSON.stringify(value) ?? typeof value);
}

export function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string':
      return 'a string';
    case 'number':
      return Number.isInteger(value) ? 'an integer' : 'a number';
    case 'boolean':
      return 'a boolean';
    case 'object':
      return 'a map';
    default:
      return typeof value;
  }
}

export function describeObject(
  context: Pick<ObjectContext, 'kind' | 'namespace' | 'name' | 'document'>,
): string {
  if (context.kind === '') return `document ${context.document}`;
  const name = context.name === '' ? '(unnamed)' : context.name;
  return `${context.kind} ${context.namespace === '' ? name : `${context.namespace}/${name}`}`;
}

/**
 * How a message begins, up to the sentence: by default `file: Kind ns/name: path: `. A check of
 * something that is not a file (a definition sent to the workflow) names its fields its own way.
 */
export type MessageStart = (context: ObjectContext, path: string) => string;

export const inFile: MessageStart = (context, path) =>
  `${context.file}: ${describeObject(context)}: ${path === '' ? '' : `${path}: `}`;

/** Collects the errors of one object; validators report into it and never stop at the first. */
export class Issues {
  readonly errors: ManifestError[] = [];

  constructor(
    readonly context: ObjectContext,
    private readonly messageStart: MessageStart = inFile,
  ) {}

  /**
   * `problem` is the sentence after the path; by default "missing, expected …" or "found …, expected …".
   */
  add(path: FieldPath, found: unknown, expected: string, problem?: string): void {
    const { file, document, kind, namespace, name, lineOf } = this.context;
    const pathText = formatPath(path);
    const sentence =
      problem ??
      (found === undefined
        ? `missing, expected ${expected}`
        : `found ${render(found)}, expected ${expected}`);
    const error: ManifestError = {
      file,
      document,
      kind,
      namespace,
      name,
      path: pathText,
      found: render(found),
      expected,
      message: `${this.messageStart(this.context, pathText)}${sentence}`,
    };
    const line = lineOf?.(path);
    if (line !== undefined) error.line = line;
    this.errors.push(error);
  }

  /** A value of the wrong JSON type: says which type it is and which was expected. */
  wrongType(path: FieldPath, found: unknown, expected: string): void {
    this.add(path, found, expected, `${render(found)} is ${typeName(found)}, expected ${expected}`);
  }

  /** A field Argo knows that this project does not implement yet. */
  notSupported(path: FieldPath, found: unknown, what: string, instead: string): void {
    this.add(path, found, instead, `${what} is not supported yet (${instead})`);
  }

  get count(): number {
    return this.errors.length;
  }
}
