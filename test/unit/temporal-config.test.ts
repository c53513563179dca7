import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { connectionOptions, temporalConfigFromEnv } from '../../config/temporal.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rollouts-config-'));
const file = (name: string, text: string) => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
};

describe('Temporal configuration from the environment', () => {
  it('defaults to a local dev server', () => {
    expect(temporalConfigFromEnv({})).toEqual({
      address: 'localhost:7233',
      namespace: 'default',
      taskQueue: 'rollouts',
    });
    expect(connectionOptions(temporalConfigFromEnv({}))).toEqual({ address: 'localhost:7233' });
  });

  it('takes an API key for Temporal Cloud, which turns TLS on', () => {
    const config = temporalConfigFromEnv({
      TEMPORAL_ADDRESS: 'my-ns.a1b2c.tmprl.cloud:7233',
      TEMPORAL_NAMESPACE: 'my-ns.a1b2c',
      TEMPORAL_API_KEY: 'secret-key',
      TEMPORAL_TASK_QUEUE: 'prod-rollouts',
    });
    expect(config).toEqual({
      address: 'my-ns.a1b2c.tmprl.cloud:7233',
      namespace: 'my-ns.a1b2c',
      taskQueue: 'prod-rollouts',
      apiKey: 'secret-key',
      tls: {},
    });
    expect(connectionOptions(config)).toEqual({
      address: 'my-ns.a1b2c.tmprl.cloud:7233',
      tls: {},
      apiKey: 'secret-key',
    });
  });

  it('reads mTLS certificate, key and CA files', () => {
    const config = temporalConfigFromEnv({
      TEMPORAL_TLS_CERT: file('client.pem', 'CERT'),
      TEMPORAL_TLS_KEY: file('client.key', 'KEY'),
      TEMPORAL_TLS_CA: file('ca.pem', 'CA'),
      TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
    });
    expect(config.tls?.clientCertPair?.crt.toString()).toBe('CERT');
    expect(config.tls?.clientCertPair?.key.toString()).toBe('KEY');
    expect(config.tls?.serverRootCACertificate?.toString()).toBe('CA');
    expect(config.tls?.serverNameOverride).toBe('temporal.internal');
    expect(temporalConfigFromEnv({ TEMPORAL_TLS: 'true' }).tls).toEqual({});
  });

  it('names the variable that is wrong', () => {
    expect(() => temporalConfigFromEnv({ TEMPORAL_ADDRESS: 'https://x' })).toThrow(
      'TEMPORAL_ADDRESS=https://x: expected host:port',
    );
    expect(() => temporalConfigFromEnv({ TEMPORAL_TLS_KEY: file('k', 'K') })).toThrow('set both');
    expect(() => temporalConfigFromEnv({ TEMPORAL_TLS_CA: '/nope/ca.pem' })).toThrow(
      'TEMPORAL_TLS_CA=/nope/ca.pem: cannot read the file',
    );
  });
});
