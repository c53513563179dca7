// `insecure` on both providers against a real HTTPS server whose certificate nobody signed
// (test/fixtures/tls, made once with openssl, valid for a century; the key is a test key only):
// refused without it, the certificate named; measured with it, as Argo's `insecure` does.
import fs from 'node:fs';
import https from 'node:https';
import type net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import axios from 'axios';
import { PrometheusClient } from '../../activities/metrics/prometheus.js';
import { WebClient } from '../../activities/metrics/web.js';
import { repoRoot } from '../support/paths.js';

const tls = path.join(repoRoot, 'test', 'fixtures', 'tls');
const server = https.createServer(
  {
    cert: fs.readFileSync(path.join(tls, 'self-signed.crt')),
    key: fs.readFileSync(path.join(tls, 'self-signed.key')),
  },
  (req, res) => {
    res.setHeader('Content-Type', 'application/json');
    res.end(
      req.url?.startsWith('/api/v1/query')
        ? JSON.stringify({
            status: 'success',
            data: { resultType: 'vector', result: [{ metric: {}, value: [1, '0.99'] }] },
          })
        : JSON.stringify({ rate: 0.99 }),
    );
  },
);
let url = '';

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('a self-signed HTTPS metric endpoint', () => {
  it('Prometheus: refused without insecure, naming the certificate; measured with it', async () => {
    const prometheus = new PrometheusClient(axios.create());
    const refused = await prometheus.measure({ address: url, query: 'up' }, {});
    expect(refused.error).toMatch(/^Prometheus at https:\/\/127\.0\.0\.1:\d+.*self[- ]signed certificate/);
    expect(await prometheus.measure({ address: url, query: 'up', insecure: true }, {})).toEqual({
      value: [0.99],
    });
  });

  it('web: the same', async () => {
    const web = new WebClient(axios.create());
    const refused = await web.measure({ url: `${url}/rate`, method: 'GET' }, {});
    expect(refused.error).toMatch(/self[- ]signed certificate/);
    expect(
      await web.measure({ url: `${url}/rate`, method: 'GET', jsonPath: '{$.rate}', insecure: true }, {}),
    ).toEqual({
      value: 0.99,
    });
  });
});
