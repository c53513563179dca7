// One small door to the Kubernetes API for every activity: the generic object API of
// @kubernetes/client-node (ReplicaSets, Services and Istio custom resources alike), with each failure
// classified as permanent or transient and named after the object it concerned.
import {
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { classifyKubeError, transientFailure } from './errors.js';
import { PooledKubeConfig } from './pooled-kube-config.js';

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
}

export function describeRef(ref: ObjectRef): string {
  return `${ref.kind} ${ref.namespace}/${ref.name}`;
}

/** `matchLabels` as a list call's label selector: `app=myapp,role=canary`. */
export function labelSelector(labels: Readonly<Record<string, string>>): string {
  return Object.entries(labels)
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
}

export class Kube {
  constructor(
    readonly api: KubernetesObjectApi,
    /** The typed core API, for what the generic one cannot do (a pod's eviction subresource). */
    private readonly coreApi?: CoreV1Api,
    /** Custom resources' subresources (a Rollout's status), which the generic API cannot address. */
    private readonly customApi?: CustomObjectsApi,
  ) {}

  static fromKubeconfig(file?: string): Kube {
    const config = new PooledKubeConfig();
    if (file) config.loadFromFile(file);
    else config.loadFromDefault();
    return Kube.fromConfig(config);
  }

  static fromConfig(config: KubeConfig): Kube {
    return new Kube(
      KubernetesObjectApi.makeApiClient(config),
      config.makeApiClient(CoreV1Api),
      config.makeApiClient(CustomObjectsApi),
    );
  }

  get core(): CoreV1Api {
    if (!this.coreApi) throw new Error('this Kube was built without the core API (Kube.fromConfig has it)');
    return this.coreApi;
  }

  private async call<T>(what: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (err) {
      throw classifyKubeError(err, what);
    }
  }

  private header(ref: ObjectRef) {
    return {
      apiVersion: ref.apiVersion,
      kind: ref.kind,
      metadata: { name: ref.name, namespace: ref.namespace },
    };
  }

  read<T extends KubernetesObject>(ref: ObjectRef): Promise<T> {
    return this.call(describeRef(ref), () => this.api.read<T>(this.header(ref)));
  }

  /** Reads, or undefined on 404 (for "create unless it exists"). */
  async readIfExists<T extends KubernetesObject>(ref: ObjectRef): Promise<T | undefined> {
    try {
      return await this.api.read<T>(this.header(ref));
    } catch (err) {
      if ((err as { code?: unknown }).code === 404) return undefined;
      throw classifyKubeError(err, describeRef(ref));
    }
  }

  /** Creates; on 409 AlreadyExists (a retry, or a race) returns undefined so the caller reads. */
  async createUnlessExists<T extends KubernetesObject>(ref: ObjectRef, object: T): Promise<T | undefined> {
    try {
      return await this.api.create<T>(object);
    } catch (err) {
      if ((err as { code?: unknown }).code === 409) return undefined;
      throw classifyKubeError(err, describeRef(ref));
    }
  }

  mergePatch<T extends KubernetesObject>(ref: ObjectRef, patch: Record<string, unknown>): Promise<T> {
    // The header's name and namespace join the patch's own metadata (labels, annotations), not replace it.
    const header = this.header(ref);
    const metadata = { ...(patch.metadata as Record<string, unknown> | undefined), ...header.metadata };
    const body = { ...patch, ...header, metadata } as unknown as T;
    return this.call(describeRef(ref), () =>
      this.api.patch<T>(body, undefined, undefined, 'temporal-rollouts', undefined, PatchStrategy.MergePatch),
    );
  }

  /**
   * A merge patch of a custom resource's status subresource (`/status`). A `metadata.resourceVersion`
   * in the patch makes it conditional: 409 when the object changed since that version was read.
   */
  mergePatchStatus(ref: ObjectRef, plural: string, patch: Record<string, unknown>): Promise<unknown> {
    if (!this.customApi)
      throw new Error('this Kube was built without the custom objects API (Kube.fromConfig has it)');
    const [group = '', version = ''] = ref.apiVersion.split('/');
    const custom = this.customApi;
    return this.call(`${describeRef(ref)} status`, () =>
      custom.patchNamespacedCustomObjectStatus(
        {
          group,
          version,
          namespace: ref.namespace,
          plural,
          name: ref.name,
          body: patch,
          fieldManager: 'temporal-rollouts',
        },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      ),
    );
  }

  /**
   * Read, change, replace with the resourceVersion that was read. Someone else's edit in between
   * gives 409: we read again and re-apply our change on top of theirs, never over it. `change`
   * returns undefined when there is nothing to write.
   */
  async update<T extends KubernetesObject>(
    ref: ObjectRef,
    change: (current: T) => T | undefined,
  ): Promise<T> {
    for (let attempt = 1; attempt <= 5; attempt++) {
      const current = await this.read<T>(ref);
      const next = change(structuredClone(current));
      if (next === undefined) return current;
      try {
        return await this.api.replace<T>(next, undefined, undefined, 'temporal-rollouts');
      } catch (err) {
        if ((err as { code?: unknown }).code !== 409) throw classifyKubeError(err, describeRef(ref));
      }
    }
    throw transientFailure(`${describeRef(ref)}: still changing under us after 5 attempts (HTTP 409)`);
  }

  async delete(ref: ObjectRef): Promise<void> {
    try {
      await this.api.delete(this.header(ref));
    } catch (err) {
      if ((err as { code?: unknown }).code === 404) return; // already gone: the retry of a delete
      throw classifyKubeError(err, describeRef(ref));
    }
  }

  async list<T extends KubernetesObject>(
    apiVersion: string,
    kind: string,
    namespace: string,
    labelSelector: string,
  ): Promise<T[]> {
    const result = await this.call(`${kind} list in ${namespace}`, () =>
      this.api.list<T>(
        apiVersion,
        kind,
        namespace,
        undefined,
        undefined,
        undefined,
        undefined,
        labelSelector,
      ),
    );
    return result.items;
  }
}
