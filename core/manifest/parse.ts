// YAML text → one raw value per non-empty document, keeping each document's index and a way back from a
// field path to its line, so that every error can point at the file. Pure: the caller reads the file.

import { LineCounter, isNode, parseAllDocuments, type Document } from 'yaml';
import type { FieldPath, ManifestError } from './errors.js';

export interface RawDocument {
  file: string;
  /** 0-based, counting empty documents too, as a reader counts `---` separators. */
  index: number;
  value: unknown;
  /** 1-based line of the field, or of its nearest parent written in the file. */
  lineOf: (path: FieldPath) => number | undefined;
}

export interface ParseResult {
  documents: RawDocument[];
  errors: ManifestError[];
}

export function parseDocuments(text: string, file: string): ParseResult {
  const lineCounter = new LineCounter();
  const documents: RawDocument[] = [];
  const errors: ManifestError[] = [];
  const parsed = parseAllDocuments(text, { lineCounter, prettyErrors: true });

  parsed.forEach((doc, index) => {
    if (doc.errors.length > 0) {
      for (const error of doc.errors) {
        const position = error.linePos?.[0];
        errors.push(syntaxError(file, index, firstLine(error.message), position?.line, position?.col));
      }
      return;
    }
    let value: unknown;
    try {
      value = doc.toJS();
    } catch (error) {
      // e.g. an alias bomb beyond maxAliasCount
      errors.push(syntaxError(file, index, error instanceof Error ? error.message : String(error)));
      return;
    }
    if (value === null || value === undefined) return; // `---` with nothing after it, or only comments
    documents.push({ file, index, value, lineOf: (path) => lineOfPath(doc, lineCounter, path) });
  });
  return { documents, errors };
}

/** The parser's first line, without the position it repeats ("… at line 5, column 1:"). */
function firstLine(message: string): string {
  const line = message.split('\n')[0] ?? message;
  return line.replace(/ at line \d+, column \d+:?$/, '');
}

function syntaxError(
  file: string,
  document: number,
  text: string,
  line?: number,
  column?: number,
): ManifestError {
  const where = line === undefined ? '' : `line ${line}, column ${column ?? 1}: `;
  const error: ManifestError = {
    file,
    document,
    kind: '',
    namespace: '',
    name: '',
    path: '',
    found: text,
    expected: 'valid YAML',
    message: `${file}: document ${document}: ${where}YAML syntax error: ${text}`,
  };
  if (line !== undefined) error.line = line;
  return error;
}

function lineOfPath(doc: Document, lineCounter: LineCounter, path: FieldPath): number | undefined {
  for (let length = path.length; length >= 0; length--) {
    const node: unknown = length === 0 ? doc.contents : safeGetIn(doc, path.slice(0, length));
    if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
  }
  return undefined;
}

function safeGetIn(doc: Document, path: FieldPath): unknown {
  try {
    return doc.getIn(path, true);
  } catch {
    return undefined; // a path through a scalar
  }
}
