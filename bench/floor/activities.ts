// The floor's activities: one PATCH of a VirtualService's weights through the same client our
// activities use, and one HTTP GET for the bare twin of a measurement.
import axios from 'axios';
import { Kube } from '../../activities/kube.js';
import type { FloorTarget } from './workflow.js';

export interface FloorActivities {
  patchWeight(target: FloorTarget, canaryWeight: number): Promise<void>;
  measureBare(url: string): Promise<number>;
}

export function createFloorActivities(kube: Kube): FloorActivities {
  return {
    async patchWeight(target, canaryWeight) {
      const stable = target.virtualService.replace(/-vsvc$/, '');
      await kube.mergePatch(
        {
          apiVersion: 'networking.istio.io/v1alpha3',
          kind: 'VirtualService',
          namespace: target.namespace,
          name: target.virtualService,
        },
        {
          spec: {
            http: [
              {
                name: 'primary',
                route: [
                  { destination: { host: `${stable}-stable` }, weight: 100 - canaryWeight },
                  { destination: { host: `${stable}-canary` }, weight: canaryWeight },
                ],
              },
            ],
          },
        },
      );
    },
    async measureBare(url) {
      const answer = await axios.get<{ ok?: number }>(url, { timeout: 10_000 });
      return answer.data.ok ?? 0;
    },
  };
}
