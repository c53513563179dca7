// Where Temporal is and how to reach it, from the environment, for the worker and the CLI alike:
// a local dev server by default; a Temporal cluster or Temporal Cloud with TLS (mTLS certificates)
// or an API key.
import fs from 'node:fs';

export interface TemporalConfig {
  address: string;
  namespace: string;
  taskQueue: string;
  apiKey?: string;
  tls?: {
    serverNameOverride?: string;
    serverRootCACertificate?: Buffer;
    clientCertPair?: { crt: Buffer; key: Buffer };
  };
}

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

function readFile(env: Env, variable: string): Buffer | undefined {
  const file = env[variable];
  if (!file) return undefined;
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new ConfigError(`${variable}=${file}: cannot read the file (${(err as Error).message})`);
  }
}

export function temporalConfigFromEnv(env: Env = process.env): TemporalConfig {
  const address = env.TEMPORAL_ADDRESS || 'localhost:7233';
  if (!/^[^\s:]+:\d+$/.test(address))
    throw new ConfigError(`TEMPORAL_ADDRESS=${address}: expected host:port, e.g. localhost:7233`);
  const crt = readFile(env, 'TEMPORAL_TLS_CERT');
  const key = readFile(env, 'TEMPORAL_TLS_KEY');
  if ((crt === undefined) !== (key === undefined))
    throw new ConfigError(
      'TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY: set both (mTLS client certificate and key) or neither',
    );
  const ca = readFile(env, 'TEMPORAL_TLS_CA');
  const apiKey = env.TEMPORAL_API_KEY || undefined;
  const wantsTls =
    crt !== undefined || ca !== undefined || apiKey !== undefined || env.TEMPORAL_TLS === 'true';
  return {
    address,
    namespace: env.TEMPORAL_NAMESPACE || 'default',
    taskQueue: env.TEMPORAL_TASK_QUEUE || 'rollouts',
    ...(apiKey ? { apiKey } : {}),
    ...(wantsTls
      ? {
          tls: {
            ...(env.TEMPORAL_TLS_SERVER_NAME ? { serverNameOverride: env.TEMPORAL_TLS_SERVER_NAME } : {}),
            ...(ca ? { serverRootCACertificate: ca } : {}),
            ...(crt && key ? { clientCertPair: { crt, key } } : {}),
          },
        }
      : {}),
  };
}

/** Options for Connection.connect and NativeConnection.connect. */
export function connectionOptions(config: TemporalConfig): {
  address: string;
  tls?: TemporalConfig['tls'];
  apiKey?: string;
} {
  return {
    address: config.address,
    ...(config.tls ? { tls: config.tls } : {}),
    ...(config.apiKey ? { apiKey: config.apiKey } : {}),
  };
}
