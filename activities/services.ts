// Service selectors: the stable and canary Services each get `rollouts-pod-template-hash` so that
// each selects exactly one ReplicaSet; the annotation says who manages them, as Argo's does.
import type { KubernetesObject } from '@kubernetes/client-node';
import { POD_TEMPLATE_HASH_LABEL } from '../core/types.js';
import type { ServiceSelectorInput } from './interface.js';
import type { Kube } from './kube.js';

export const MANAGED_BY_ANNOTATION = 'argo-rollouts.argoproj.io/managed-by-rollouts';

interface Service extends KubernetesObject {
  spec?: { selector?: Record<string, string> };
}

export class Services {
  constructor(private readonly kube: Kube) {}

  async pointAt(input: ServiceSelectorInput): Promise<void> {
    const ref = { apiVersion: 'v1', kind: 'Service', namespace: input.namespace, name: input.service };
    const current = await this.kube.read<Service>(ref);
    if (
      current.spec?.selector?.[POD_TEMPLATE_HASH_LABEL] === input.podTemplateHash &&
      current.metadata?.annotations?.[MANAGED_BY_ANNOTATION] === input.rollout
    )
      return; // already there: a retry, or nothing changed
    // A merge patch touches only our key and annotation; the user's own selector keys stay.
    await this.kube.mergePatch(ref, {
      metadata: { annotations: { [MANAGED_BY_ANNOTATION]: input.rollout } },
      spec: { selector: { [POD_TEMPLATE_HASH_LABEL]: input.podTemplateHash } },
    });
  }
}
