// Paths the tests share. Tests run from the repository root (npm test), compiled into dist/.
import path from 'node:path';

export const repoRoot = process.cwd();
export const toolsBin = path.join(repoRoot, '.tools', 'bin');
export const workflowsPath = path.join(repoRoot, 'dist', 'workflows', 'index.js');
export const seedDir = path.join(repoRoot, 'examples', 'seed');
export const historiesDir = path.join(repoRoot, 'test', 'fixtures', 'histories');
export const testOutput = path.join(repoRoot, 'test-output');
