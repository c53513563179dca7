// The product's command must not load the lab (lab/stack: its supervisor, the Kubernetes client):
// its verbs import it when they run. Follows the static imports of the built command from
// dist/client/main.js and checks that none leads into dist/lab.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { repoRoot } from '../support/paths.js';

/** Every file reached by static `import … from './x.js'` (dynamic `import()` is not followed). */
function staticImports(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = fs.readFileSync(file, 'utf8');
    for (const match of source.matchAll(/^(?:import|export)\s[^;]*?from\s+'(\.[^']+)';/gms))
      visit(path.resolve(path.dirname(file), match[1] as string));
  };
  visit(entry);
  return seen;
}

describe('the rollouts command', () => {
  it('imports no lab code statically', () => {
    const files = [...staticImports(path.join(repoRoot, 'dist', 'client', 'main.js'))].map((f) =>
      path.relative(path.join(repoRoot, 'dist'), f),
    );
    expect(files).toContain(path.join('client', 'commands', 'lab.js'));
    expect(files.filter((f) => f.startsWith(`lab${path.sep}`))).toEqual([]);
  });

  it('is a library too: the package entry exports the client', async () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
      exports: { '.': { default: string } };
    };
    const entry = (await import(path.join(repoRoot, pkg.exports['.'].default))) as Record<string, unknown>;
    for (const name of ['connectRollouts', 'RolloutsClient', 'loadRolloutFiles', 'waitForStatus'])
      expect(typeof entry[name]).toBe('function');
  });
});
