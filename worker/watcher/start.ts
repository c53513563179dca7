// The watcher as the worker runs it: the cluster from KUBECONFIG, Temporal from TEMPORAL_* (a client
// connection of its own: the worker's native connection cannot send updates).
import { PooledKubeConfig } from '../../activities/pooled-kube-config.js';
import { Kube } from '../../activities/kube.js';
import { connectRollouts } from '../../client/connect.js';
import type { WatchSettings } from './settings.js';
import { RolloutWatcher } from './watcher.js';

export interface RunningWatcher {
  stop(): Promise<void>;
}

export async function startWatcher(settings: WatchSettings): Promise<RunningWatcher> {
  const config = new PooledKubeConfig(); // its lists and writes keep their connections
  config.loadFromDefault();
  const temporal = await connectRollouts();
  const watcher = new RolloutWatcher(config, Kube.fromConfig(config), temporal.rollouts, {
    namespaces: settings.namespaces,
  });
  await watcher.start();
  const where = settings.namespaces.length
    ? `namespaces ${settings.namespaces.join(', ')}`
    : 'every namespace';
  console.log(`worker: watching Rollouts in ${where}`);
  return {
    stop: async () => {
      await watcher.stop();
      await temporal.close();
    },
  };
}
