// The mesh simulator as a process (`node dist/lab/mesh/main.js`), configured by the environment
// (config.ts). Prints one line with its URL when it is ready; SIGTERM or SIGINT stops it with exit
// code 0; bad configuration is a one-line error and exit code 1.
import { loadKubeConfig, meshConfigFromEnv, MeshConfigError } from './config.js';
import { MeshSimulator } from './simulator.js';

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

async function main(): Promise<void> {
  const config = meshConfigFromEnv();
  const kubeConfig = loadKubeConfig(config.kubeconfig);
  // A failing API server fails every refresh: say so once per distinct message, not every second.
  let lastError = '';
  const simulator = new MeshSimulator({
    kubeConfig,
    namespaces: config.namespaces,
    ratePerSecond: config.ratePerSecond,
    podStartSeconds: config.podStartSeconds,
    host: config.host,
    port: config.port,
    ...(config.seed !== undefined ? { seed: config.seed } : {}),
    onError: (err) => {
      const text = message(err);
      if (text !== lastError) console.error(`mesh simulator: ${text}`);
      lastError = text;
    },
  });

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    const force = setTimeout(() => process.exit(0), 10_000);
    force.unref();
    simulator.stop().then(
      () => {
        console.log(`mesh simulator: stopped (${signal})`);
        process.exit(0);
      },
      (err: unknown) => {
        console.error(`mesh simulator: ${message(err)}`);
        process.exit(0);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);

  await simulator.start();
  const namespaces = config.namespaces.length > 0 ? config.namespaces.join(',') : 'all';
  console.log(
    `mesh simulator: ${simulator.url} (namespaces: ${namespaces}; ${config.ratePerSecond} requests/s per host; pods available after ${config.podStartSeconds} s)`,
  );
}

main().catch((err: unknown) => {
  const prefix = err instanceof MeshConfigError ? 'mesh simulator: configuration: ' : 'mesh simulator: ';
  console.error(`${prefix}${message(err)}`);
  process.exit(1);
});
