// `rollouts lab errors IMAGE RATE` against a stand-in mesh simulator (a local HTTP server): the PUT it
// sends, where MESH_URL comes from, and the messages when the rate, the URL or the simulator are wrong.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { run } from '../../client/cli.js';
import { labErrors } from '../../lab/stack/lab.js';
import { closedPort, LocalHttpServer, useLocalHttpServer } from '../support/local-http.js';
import { testOutput } from '../support/paths.js';

interface Captured {
  code: number;
  out: string;
  err: string;
}

async function errors(image: string, rate: number, env: NodeJS.ProcessEnv): Promise<Captured> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await labErrors({ out: (t) => out.push(t), err: (t) => err.push(t) }, image, rate, env);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('rollouts lab errors', () => {
  const mesh = useLocalHttpServer((_req, res) => LocalHttpServer.json(res, { ok: true }));
  const labDir = path.join(testOutput, 'lab-errors');

  beforeAll(() => {
    fs.rmSync(labDir, { recursive: true, force: true });
    fs.mkdirSync(labDir, { recursive: true });
  });

  it('PUTs {image, rate} as JSON to MESH_URL/api/errors', async () => {
    const result = await errors('argoproj/rollouts-demo:green', 0.65, {
      MESH_URL: `${mesh.url}/`,
      LAB_DIR: labDir,
    });
    expect(result).toEqual({
      code: 0,
      out: `argoproj/rollouts-demo:green: 65% of requests now fail (mesh simulator at ${mesh.url}/)`,
      err: '',
    });
    expect(mesh.requests).toHaveLength(1);
    expect(mesh.requests[0]).toMatchObject({ method: 'PUT', url: '/api/errors' });
    expect(mesh.requests[0]?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(mesh.requests[0]?.body ?? '')).toEqual({
      image: 'argoproj/rollouts-demo:green',
      rate: 0.65,
    });
  });

  it('reads MESH_URL from the lab environment file when the environment has none', async () => {
    fs.writeFileSync(path.join(labDir, 'env'), `export KUBECONFIG=/x\nexport MESH_URL='${mesh.url}'\n`);
    const result = await errors('app:blue', 0, { LAB_DIR: labDir });
    expect(result.code).toBe(0);
    expect(JSON.parse(mesh.requests[0]?.body ?? '')).toEqual({ image: 'app:blue', rate: 0 });
  });

  it('says where MESH_URL would come from when it is nowhere', async () => {
    const empty = path.join(testOutput, 'lab-errors-none');
    expect(await errors('app:blue', 0.1, { LAB_DIR: empty })).toEqual({
      code: 1,
      out: '',
      err: `lab errors: MESH_URL is not set and ${empty}/env does not name it: start the lab (rollouts lab up)`,
    });
  });

  it("passes on the simulator's refusal", async () => {
    mesh.handler = (_req, res) => LocalHttpServer.json(res, { error: 'no such image' }, 400);
    const result = await errors('nope', 0.5, { MESH_URL: mesh.url });
    expect(result.code).toBe(1);
    expect(result.err).toBe(
      `lab errors: the mesh simulator answered 400 to PUT ${mesh.url}/api/errors: {"error":"no such image"}`,
    );
  });

  it('says when nothing answers', async () => {
    const port = await closedPort();
    const result = await errors('app:blue', 0.5, { MESH_URL: `http://127.0.0.1:${port}` });
    expect(result.code).toBe(1);
    expect(result.err).toBe(
      `lab errors: cannot reach the mesh simulator at http://127.0.0.1:${port}/api/errors (ECONNREFUSED); ` +
        'is the lab up? (rollouts lab status)',
    );
  });

  it('refuses a bad RATE as a usage error (exit 2) before sending anything', async () => {
    const err: string[] = [];
    const code = await run(['lab', 'errors', 'app:green', '165%'], {
      out: () => undefined,
      err: (t) => err.push(t),
    });
    expect(code).toBe(2);
    expect(err).toEqual([
      'error: lab errors: RATE: "165%" is more than 100%: give a fraction from 0 to 1 (0.65) or a percentage from 0% to 100% (65%)',
    ]);
    expect(mesh.requests).toHaveLength(0);
  });
});
