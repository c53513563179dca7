// A RolloutsClient connected from the TEMPORAL_* settings (config/temporal.ts), the same for the
// `rollouts` command and for scripts. The Temporal client loads here, not at start-up, so that a
// command line refused for bad usage answers without it.
import { connectionOptions, temporalConfigFromEnv } from '../config/temporal.js';
import type { RolloutsClient } from './rollouts-client.js';

export interface RolloutsConnection {
  rollouts: RolloutsClient;
  /** Closes the connection to Temporal; call it when done. */
  close: () => Promise<void>;
}

/** Connects to Temporal as $TEMPORAL_ADDRESS, $TEMPORAL_NAMESPACE, … (or `env`) say. */
export async function connectRollouts(
  env: Record<string, string | undefined> = process.env,
): Promise<RolloutsConnection> {
  const config = temporalConfigFromEnv(env);
  const [{ Client, Connection }, { RolloutsClient }] = await Promise.all([
    import('@temporalio/client'),
    import('./rollouts-client.js'),
  ]);
  const connection = await Connection.connect({ ...connectionOptions(config), connectTimeout: '5s' }).catch(
    (err: unknown) => {
      throw new Error(`cannot reach Temporal at ${config.address}: ${(err as Error).message}`);
    },
  );
  const client = new Client({ connection, namespace: config.namespace });
  return { rollouts: new RolloutsClient(client, config.taskQueue), close: () => connection.close() };
}
