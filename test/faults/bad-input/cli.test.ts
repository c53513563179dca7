// Bad input, part (b): bad command lines for the built `rollouts` command (dist/client/main.js), run
// as a subprocess the way a person runs it. Each must exit 2 (bad usage) or 1 (refused) with one line
// that names the argument, option or value at fault, and none may reach Temporal: TEMPORAL_ADDRESS
// points at a listener that counts connections.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { repoRoot, seedDir, testOutput } from '../../support/paths.js';
import { Tally } from './report.js';

const run = promisify(execFile);
const main = path.join(repoRoot, 'dist', 'client', 'main.js');
const workDir = path.join(testOutput, 'faults', 'bad-input', 'cli');
const tally = new Tally('cli');

let listener: net.Server;
let connections = 0;
let address = '';

beforeAll(async () => {
  fs.rmSync(workDir, { recursive: true, force: true });
  fs.mkdirSync(path.join(workDir, 'home'), { recursive: true });
  // The seed's Rollout once more, in a file of its own: the same object twice.
  fs.copyFileSync(path.join(seedDir, '05-rollout.yaml'), path.join(workDir, 'again.yaml'));
  listener = net.createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  address = `127.0.0.1:${(listener.address() as net.AddressInfo).port}`;
});

afterAll(async () => {
  const counts = tally.write();
  console.log(`bad command lines: ${counts.handled}/${counts.tried} handled`);
  await new Promise((resolve) => listener?.close(resolve));
});

interface Result {
  code: number;
  out: string;
  err: string;
}

async function rollouts(args: string[], env: Record<string, string> = {}): Promise<Result> {
  const environment: Record<string, string | undefined> = {
    ...process.env,
    TEMPORAL_ADDRESS: address,
    HOME: path.join(workDir, 'home'), // no ~/.kube/config: templates come only from the files
    ...env,
  };
  delete environment.KUBECONFIG;
  delete environment.ROLLOUTS_NAMESPACE;
  if (env.ROLLOUTS_NAMESPACE) environment.ROLLOUTS_NAMESPACE = env.ROLLOUTS_NAMESPACE;
  try {
    const { stdout, stderr } = await run(process.execPath, [main, ...args], {
      cwd: repoRoot,
      env: environment,
      timeout: 30_000,
    });
    return { code: 0, out: stdout, err: stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, out: e.stdout ?? '', err: e.stderr ?? '' };
  }
}

const seed = (file: string) => path.join(seedDir, file);
const rollout = seed('05-rollout.yaml');
const template = seed('04-analysistemplate.yaml');
const longName = 'a'.repeat(70);

/** [what, argv, exit code, the first line of stderr (exactly, or a RegExp), environment] */
type Case = [string, string[], 1 | 2, string | RegExp, Record<string, string>?];

const CASES: Case[] = [
  // commands and arguments
  ['an unknown command', ['frobnicate'], 2, "error: unknown command 'frobnicate'"],
  ['a misspelt subcommand', ['set', 'imag', 'myapp', 'a=b'], 2, "error: unknown command 'imag'"],
  ['an unknown lab command', ['lab', 'frob'], 2, "error: unknown command 'frob'"],
  [
    'promote without NAME',
    ['promote'],
    2,
    "error: missing the rollout's NAME: rollouts promote NAME [--full] [-n NAMESPACE]",
  ],
  [
    'abort without NAME',
    ['abort'],
    2,
    "error: missing the rollout's NAME: rollouts abort NAME [--reason TEXT] [-n NAMESPACE]",
  ],
  [
    'retry without NAME',
    ['retry'],
    2,
    "error: missing the rollout's NAME: rollouts retry NAME [-n NAMESPACE]",
  ],
  [
    'get without NAME',
    ['get'],
    2,
    "error: missing the rollout's NAME: rollouts get NAME [-n NAMESPACE] [-o tree|json] [--watch]",
  ],
  ['get rollout without NAME', ['get', 'rollout'], 2, 'error: get: expected one rollout NAME'],
  ['resume rollout without NAME', ['resume', 'rollout'], 2, 'error: resume: expected one rollout NAME'],
  ['pause with three NAMEs', ['pause', 'a', 'b', 'c'], 2, 'error: pause: expected one rollout NAME'],
  [
    'promote with two NAMEs',
    ['promote', 'a', 'b'],
    2,
    "error: too many arguments for 'promote'. Expected 1 argument but got 2.",
  ],
  [
    'promote --full with a value',
    ['promote', 'myapp', '--full', 'yes'],
    2,
    "error: too many arguments for 'promote'. Expected 1 argument but got 2.",
  ],
  [
    'a NAME in capitals',
    ['promote', 'MyApp'],
    2,
    `error: promote: NAME "MyApp" is not a DNS-1123 name (lowercase letters, digits, '-' and '.'), at most 63 characters`,
  ],
  [
    'a NAME with an underscore',
    ['abort', 'my_app'],
    2,
    /^error: abort: NAME "my_app" is not a DNS-1123 name/,
  ],
  [
    'a NAME that is too long',
    ['get', 'rollout', longName],
    2,
    `error: get: NAME "${'a'.repeat(40)}…" is 70 characters long, expected at most 63`,
  ],
  [
    'a NAME with a slash',
    ['retry', 'rollouts-demo/myapp'],
    2,
    /^error: retry: NAME "rollouts-demo\/myapp" is not/,
  ],
  [
    'list of something else',
    ['list', 'pods'],
    2,
    'error: list: "pods" is not something to list, expected rollouts',
  ],
  [
    'list with two words',
    ['list', 'rollouts', 'more'],
    2,
    "error: too many arguments for 'list'. Expected 1 argument but got 2.",
  ],
  // options
  ['an unknown option', ['promote', 'myapp', '--bogus'], 2, "error: unknown option '--bogus'"],
  ['--full=yes', ['promote', 'myapp', '--full=yes'], 2, "error: unknown option '--full=yes'"],
  ['an option before the command', ['-n', 'x', 'promote', 'myapp'], 2, "error: unknown option '-n'"],
  [
    '-n without a value',
    ['promote', 'myapp', '-n'],
    2,
    "error: option '-n, --namespace <namespace>' argument missing",
  ],
  [
    '-n that is no namespace',
    ['promote', 'myapp', '-n', 'Bad_NS'],
    2,
    `error: -n: "Bad_NS" is not a DNS-1123 label (lowercase letters, digits and '-'), at most 63 characters`,
  ],
  ['-n that is empty', ['get', 'myapp', '-n', ''], 2, /^error: -n: "" is not a DNS-1123 label/],
  ['-n for list', ['list', '-n', 'UPPER'], 2, /^error: -n: "UPPER" is not a DNS-1123 label/],
  [
    '$ROLLOUTS_NAMESPACE that is no namespace',
    ['get', 'myapp'],
    2,
    /^error: ROLLOUTS_NAMESPACE: "Bad NS" is not a DNS-1123 label/,
    { ROLLOUTS_NAMESPACE: 'Bad NS' },
  ],
  [
    '-o yaml for get',
    ['get', 'myapp', '-o', 'yaml'],
    2,
    "error: option '-o, --output <format>' argument 'yaml' is invalid. Allowed choices are tree, json.",
  ],
  [
    '-o yaml for list',
    ['list', '-o', 'yaml'],
    2,
    "error: option '-o, --output <format>' argument 'yaml' is invalid. Allowed choices are table, json.",
  ],
  ['-o without a value', ['get', 'myapp', '-o'], 2, "error: option '-o, --output <format>' argument missing"],
  [
    '--interval that is a word',
    ['get', 'myapp', '-w', '--interval', 'soon'],
    2,
    'error: --interval: soon is not a whole number of milliseconds ≥ 100',
  ],
  [
    '--interval too short',
    ['get', 'myapp', '-w', '--interval', '50'],
    2,
    'error: --interval: 50 is not a whole number of milliseconds ≥ 100',
  ],
  [
    '--interval negative',
    ['get', 'myapp', '-w', '--interval', '-5'],
    2,
    'error: --interval: -5 is not a whole number of milliseconds ≥ 100',
  ],
  [
    '--interval in exponent notation',
    ['get', 'myapp', '-w', '--interval', '1e3'],
    2,
    'error: --interval: 1e3 is not a whole number of milliseconds ≥ 100',
  ],
  [
    '--interval in hexadecimal',
    ['get', 'myapp', '-w', '--interval', '0x200'],
    2,
    'error: --interval: 0x200 is not a whole number of milliseconds ≥ 100',
  ],
  [
    '--reason without a value',
    ['abort', 'myapp', '--reason'],
    2,
    "error: option '--reason <text>' argument missing",
  ],
  [
    '--reason of 2000 characters',
    ['abort', 'myapp', '--reason', 'x'.repeat(2000)],
    2,
    'error: --reason: 2000 characters long, expected at most 1024',
  ],
  ['--version, which there is not', ['--version'], 2, "error: unknown option '--version'"],
  // set image
  [
    "set image without '='",
    ['set', 'image', 'myapp', 'yellow'],
    2,
    'error: set image: "yellow" is not CONTAINER=IMAGE (e.g. myapp=argoproj/rollouts-demo:yellow)',
  ],
  [
    'set image without a container',
    ['set', 'image', 'myapp', '=x'],
    2,
    /^error: set image: "=x" is not CONTAINER=IMAGE/,
  ],
  [
    'set image without an image',
    ['set', 'image', 'myapp', 'myapp='],
    2,
    /^error: set image: "myapp=" is not CONTAINER=IMAGE/,
  ],
  [
    'set image with a space in the image',
    ['set', 'image', 'myapp', 'myapp=argoproj/rollouts demo'],
    2,
    /^error: set image: "myapp=argoproj\/rollouts demo" is not CONTAINER=IMAGE/,
  ],
  [
    'set image with a capital container',
    ['set', 'image', 'myapp', 'MyApp=x'],
    2,
    /^error: set image: "MyApp=x" is not/,
  ],
  [
    'set image without CONTAINER=IMAGE',
    ['set', 'image', 'myapp'],
    2,
    'error: missing CONTAINER=IMAGE: rollouts set image NAME CONTAINER=IMAGE [-n NAMESPACE]',
  ],
  [
    'set image with a bad NAME',
    ['set', 'image', 'My.App', 'myapp=x'],
    2,
    /^error: set image: NAME "My.App" is not/,
  ],
  [
    'set image with too many arguments',
    ['set', 'image', 'a', 'b', 'c'],
    2,
    "error: too many arguments for 'image'. Expected 2 arguments but got 3.",
  ],
  // files
  ['apply without -f', ['apply'], 2, "error: required option '-f, --filename <file...>' not specified"],
  [
    'apply -f without a file',
    ['apply', '-f'],
    2,
    "error: option '-f, --filename <file...>' argument missing",
  ],
  [
    'apply -f of a missing file',
    ['apply', '-f', '/nonexistent/rollout.yaml'],
    2,
    'error: -f /nonexistent/rollout.yaml: cannot read the file (ENOENT)',
  ],
  [
    'apply -f of a directory',
    ['apply', '-f', 'examples'],
    2,
    'error: -f examples: cannot read the file (EISDIR)',
  ],
  ['apply -f of an empty file', ['apply', '-f', '/dev/null'], 2, 'error: apply: no Rollout in /dev/null'],
  ['apply -f of templates only', ['apply', '-f', template], 2, `error: apply: no Rollout in ${template}`],
  [
    'apply -n other than the manifest says',
    ['apply', '-f', template, '-f', rollout, '-n', 'other'],
    1,
    `${rollout}: Rollout rollouts-demo/myapp: metadata.namespace: "rollouts-demo" does not match -n other`,
  ],
  [
    'apply of the same Rollout from two files',
    ['apply', '-f', template, '-f', rollout, '-f', path.join(workDir, 'again.yaml')],
    1,
    `${path.join(workDir, 'again.yaml')}: Rollout rollouts-demo/myapp: metadata.name: "myapp" is already used by the Rollout in ${rollout} document 0`,
  ],
  [
    'apply of a Rollout whose AnalysisTemplate is missing',
    ['apply', '-f', rollout],
    1,
    `${rollout}: Rollout rollouts-demo/myapp: spec.strategy.canary.analysis: AnalysisTemplate "istio-success-rate" in namespace rollouts-demo not found: give it to apply -f with the Rollout`,
  ],
  ['lint without -f', ['lint'], 2, "error: required option '-f, --filename <file...>' not specified"],
  [
    'lint -f of a missing file',
    ['lint', '-f', '/nonexistent/rollout.yaml'],
    2,
    'error: -f /nonexistent/rollout.yaml: no such file',
  ],
  [
    'lint of the same Rollout from two files',
    ['lint', '-f', rollout, '-f', path.join(workDir, 'again.yaml')],
    1,
    `${path.join(workDir, 'again.yaml')}: Rollout rollouts-demo/myapp: metadata.name: "myapp" is already used by the Rollout in ${rollout} document 0`,
  ],
  // lab
  [
    'lab errors without IMAGE',
    ['lab', 'errors'],
    2,
    'error: missing the IMAGE: rollouts lab errors IMAGE RATE',
  ],
  [
    'lab errors without RATE',
    ['lab', 'errors', 'img'],
    2,
    'error: missing the error RATE: rollouts lab errors IMAGE RATE',
  ],
  [
    'lab errors at 150%',
    ['lab', 'errors', 'img', '150%'],
    2,
    'error: lab errors: RATE: "150%" is more than 100%: give a fraction from 0 to 1 (0.65) or a percentage from 0% to 100% (65%)',
  ],
  [
    'lab errors at "abc"',
    ['lab', 'errors', 'img', 'abc'],
    2,
    /^error: lab errors: RATE: "abc" is not a rate/,
  ],
  // configuration
  [
    'TEMPORAL_ADDRESS that is a URL',
    ['get', 'myapp'],
    2,
    'error: TEMPORAL_ADDRESS=http://localhost: expected host:port, e.g. localhost:7233',
    { TEMPORAL_ADDRESS: 'http://localhost' },
  ],
];

describe('bad command lines for the built rollouts command', () => {
  let results: Result[];

  beforeAll(async () => {
    // Each is a process of its own; four at a time keeps the suite quick on two cores.
    results = new Array<Result>(CASES.length);
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < CASES.length; i = next++) {
        const [, args, , , env] = CASES[i] as Case;
        results[i] = await rollouts(args, env);
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
  }, 120_000);

  it.each(CASES.map(([what, , code, message], i) => [i, what, code, message] as const))(
    '#%i %s → exit %i',
    async (i, what, code, message) => {
      await tally.check(`cli #${i} ${what}`, () => {
        const result = results[i] as Result;
        const lines = result.err.trimEnd().split('\n');
        expect({ code: result.code, first: lines[0] }).toEqual({
          code,
          first: typeof message === 'string' ? message : expect.stringMatching(message),
        });
        // one line (commander may add a "Did you mean" suggestion; apply adds its count)
        const rest = lines
          .slice(1)
          .filter((l) => !/^\(Did you mean .*\?\)$|^nothing applied: |^\d+ error\(s\) in /.test(l));
        expect(rest).toEqual([]);
        expect(result.out).toBe('');
      });
    },
  );

  it('none of them connected to Temporal: bad input applies nothing', async () => {
    expect(connections).toBe(0);
    // …and the listener does count: a good command line does connect
    const good = await rollouts(['get', 'myapp']);
    expect(good.code).toBe(1);
    expect(good.err).toMatch(/^error: cannot reach Temporal at 127\.0\.0\.1:\d+/);
    expect(connections).toBeGreaterThan(0);
  }, 30_000);
});
