// Where the manifest tests find their YAML: tests run from the repository root (see jest.config.js).
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const SEED_DIR = path.resolve(process.cwd(), 'examples/seed');
export const BAD_DIR = path.resolve(process.cwd(), 'test/fixtures/manifests/bad');
export const GOOD_DIR = path.resolve(process.cwd(), 'test/fixtures/manifests/good');

export function readText(file: string): string {
  return readFileSync(file, 'utf8');
}
