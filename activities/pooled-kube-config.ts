// A KubeConfig whose API clients keep their connections. client-node 1.4.0 makes a new https.Agent for
// every request, so every request opens a new TCP and TLS connection to the API server (≈ 10-20 ms
// here, most of a simple activity's time). The agent it makes is swapped for one kept-alive agent per
// set of TLS options: the same requests, the same credentials, one handshake.
import https from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';

type RequestContext = Parameters<KubeConfig['applySecurityAuthentication']>[0];

const POOLED_OPTIONS = [
  'ca',
  'cert',
  'key',
  'pfx',
  'passphrase',
  'rejectUnauthorized',
  'servername',
] as const;
const MAX_AGENTS = 8;
const agents = new Map<string, https.Agent>();

/** The kept-alive agent for `fresh`'s TLS options (credentials read again may differ: a new agent then). */
export function pooledAgent(fresh: https.Agent): https.Agent {
  const options = fresh.options as Record<string, unknown>;
  const picked = Object.fromEntries(POOLED_OPTIONS.map((key) => [key, options[key]]));
  const key = JSON.stringify(picked, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('base64') : v));
  let agent = agents.get(key);
  if (!agent) {
    agent = new https.Agent({ ...picked, keepAlive: true });
    agents.set(key, agent);
    // Rotated credentials leave old agents behind: keep only the latest few.
    for (const [oldKey, old] of agents) {
      if (agents.size <= MAX_AGENTS) break;
      agents.delete(oldKey);
      old.destroy();
    }
  }
  return agent;
}

export class PooledKubeConfig extends KubeConfig {
  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    const fresh = context.getAgent();
    // Plain http and proxy agents are left as client-node made them.
    if (fresh instanceof https.Agent && fresh.constructor === https.Agent)
      context.setAgent(pooledAgent(fresh));
  }
}
