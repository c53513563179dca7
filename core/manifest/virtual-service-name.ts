// A VirtualService reference as Argo reads it: `name`, or Istio's `name.namespace` shorthand for one in
// another namespace, with a trailing `.cluster.local` ignored. As Argo's GetVirtualServiceNamespaceName
// (utils/istio/istio.go): a namespace cannot hold a period, so the last segment is the namespace and
// everything before it the name (`my.vs.edge` is `my.vs` in `edge`).

export interface VirtualServiceName {
  name: string;
  /** Absent: the Rollout's namespace. */
  namespace?: string;
}

export function splitVirtualServiceName(written: string): VirtualServiceName {
  const fields = written.replace(/\.cluster\.local$/, '').split('.');
  if (fields.length < 2) return { name: fields[0] ?? '' };
  return { name: fields.slice(0, -1).join('.'), namespace: fields[fields.length - 1] };
}

/** Where a normalized reference points (a definition from before may still hold `name.namespace`). */
export function virtualServiceLocation(
  ref: VirtualServiceName,
  rolloutNamespace: string,
): { name: string; namespace: string } {
  if (ref.namespace !== undefined) return { name: ref.name, namespace: ref.namespace };
  const split = splitVirtualServiceName(ref.name);
  return { name: split.name, namespace: split.namespace ?? rolloutNamespace };
}
