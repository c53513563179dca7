// Istio traffic routing: weights in VirtualServices (host-level: the canary and stable Services;
// subset-level: the DestinationRule's subsets), subset labels in the DestinationRule. Writes use
// optimistic concurrency (Kube.update) and are read back to report `verified`.
import type { KubernetesObject } from '@kubernetes/client-node';
import { PermanentFailureType } from '../../core/failures.js';
import { virtualServiceLocation } from '../../core/manifest/virtual-service-name.js';
import { POD_TEMPLATE_HASH_LABEL, type IstioTrafficRouting } from '../../core/types.js';
import { permanentFailure } from '../errors.js';
import type { SetWeightInput, UpdateHashInput, WeightResult } from '../interface.js';
import type { Kube, ObjectRef } from '../kube.js';
import {
  readRouteWeights,
  RouteError,
  setRouteWeights,
  type Sides,
  type VirtualServiceSpec,
} from './istio-routes.js';
import type { TrafficRouter } from './router.js';

const GROUP_VERSION = 'networking.istio.io/v1alpha3';

interface VirtualService extends KubernetesObject {
  spec?: VirtualServiceSpec;
}

interface DestinationRule extends KubernetesObject {
  spec?: { subsets?: { name?: string; labels?: Record<string, string> }[] };
}

const vsRef = (namespace: string, name: string): ObjectRef => ({
  apiVersion: GROUP_VERSION,
  kind: 'VirtualService',
  namespace,
  name,
});
const drRef = (namespace: string, name: string): ObjectRef => ({
  apiVersion: GROUP_VERSION,
  kind: 'DestinationRule',
  namespace,
  name,
});

function sidesFor(istio: IstioTrafficRouting, input: SetWeightInput): Sides {
  const dr = istio.destinationRule;
  if (dr) return { by: 'subset', canary: dr.canarySubsetName, stable: dr.stableSubsetName };
  if (!input.canaryService || !input.stableService)
    throw permanentFailure(
      PermanentFailureType.Invalid,
      'spec.strategy.canary: Istio host-level routing needs canaryService and stableService',
    );
  return { by: 'host', canary: input.canaryService, stable: input.stableService };
}

/** A missing route or destination is the user's to fix: permanent, with the name in the message. */
function asPermanent<T>(work: () => T): T {
  try {
    return work();
  } catch (err) {
    if (err instanceof RouteError) throw permanentFailure(PermanentFailureType.RouteNotFound, err.message);
    throw err;
  }
}

export class IstioRouter implements TrafficRouter {
  constructor(private readonly kube: Kube) {}

  async setWeight(input: SetWeightInput): Promise<WeightResult> {
    const istio = input.routing.istio;
    const sides = sidesFor(istio, input);
    let verified = true;
    for (const ref of istio.virtualServices) {
      // `name.namespace` in the manifest: a VirtualService of another namespace, as Argo allows.
      const where = virtualServiceLocation(ref, input.namespace);
      const at = vsRef(where.namespace, where.name);
      const name = `${where.namespace}/${where.name}`;
      // What the server stored (the replace's answer, or what was read when nothing needed writing).
      const now = await this.kube.update<VirtualService>(at, (vs) => {
        const spec = vs.spec ?? {};
        const changed = asPermanent(() => setRouteWeights(name, spec, ref, sides, input.canaryWeight));
        return changed ? { ...vs, spec } : undefined;
      });
      const weights = asPermanent(() => readRouteWeights(name, now.spec ?? {}, ref, sides));
      verified &&= weights.every(
        (w) => w.canary === input.canaryWeight && w.stable === 100 - input.canaryWeight,
      );
    }
    return { canary: input.canaryWeight, stable: 100 - input.canaryWeight, verified };
  }

  async updateHash(input: UpdateHashInput): Promise<void> {
    const dr = input.routing.istio.destinationRule;
    if (!dr) return; // host-level routing: the Service selectors carry the hashes
    const want: Record<string, string> = {
      [dr.canarySubsetName]: input.canaryHash,
      [dr.stableSubsetName]: input.stableHash,
    };
    await this.kube.update<DestinationRule>(drRef(input.namespace, dr.name), (rule) => {
      const subsets = rule.spec?.subsets ?? [];
      let changed = false;
      for (const [subsetName, hash] of Object.entries(want)) {
        const subset = subsets.find((s) => s.name === subsetName);
        if (!subset)
          throw permanentFailure(
            PermanentFailureType.RouteNotFound,
            `DestinationRule ${input.namespace}/${dr.name}: subset "${subsetName}" not found`,
          );
        if (subset.labels?.[POD_TEMPLATE_HASH_LABEL] !== hash) {
          subset.labels = { ...(subset.labels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash };
          changed = true;
        }
      }
      return changed ? rule : undefined;
    });
  }
}
