// client-node 1.4.0 makes a new https.Agent, so a new TLS connection, for every request: the pooled
// KubeConfig hands every request with the same TLS options one kept-alive agent instead.
import https from 'node:https';
import { describe, expect, it } from '@jest/globals';
import { RequestContext, HttpMethod } from '@kubernetes/client-node';
import { PooledKubeConfig, pooledAgent } from '../../activities/pooled-kube-config.js';

function config(server = 'https://127.0.0.1:6443'): PooledKubeConfig {
  const kc = new PooledKubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server, caData: Buffer.from('not a real ca').toString('base64') }],
    users: [{ name: 'u', token: 'secret' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return kc;
}

async function agentOf(kc: PooledKubeConfig): Promise<https.Agent> {
  const context = new RequestContext('https://127.0.0.1:6443/api/v1/namespaces', HttpMethod.GET);
  await kc.applySecurityAuthentication(context);
  return context.getAgent() as https.Agent;
}

describe('PooledKubeConfig', () => {
  it('gives every request the same kept-alive agent, with the credentials it had', async () => {
    const kc = config();
    const first = await agentOf(kc);
    const second = await agentOf(kc);
    expect(second).toBe(first);
    expect((first as unknown as { keepAlive: boolean }).keepAlive).toBe(true);
    expect(String(first.options.ca)).toBe('not a real ca');
  });

  it('keeps requests with other TLS options apart', () => {
    const a = pooledAgent(new https.Agent({ ca: 'one' }));
    const b = pooledAgent(new https.Agent({ ca: 'two' }));
    const c = pooledAgent(new https.Agent({ ca: 'one', rejectUnauthorized: false }));
    expect(new Set([a, b, c]).size).toBe(3);
    expect(pooledAgent(new https.Agent({ ca: 'two' }))).toBe(b);
  });
});
