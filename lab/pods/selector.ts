// metav1.LabelSelectorAsSelector, for matching a ReplicaSet's spec.selector against a pod's labels:
// matchLabels and matchExpressions (In, NotIn, Exists, DoesNotExist) all hold. An absent selector
// matches nothing; an empty one ({}) everything, as in Kubernetes.

export interface SelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: SelectorRequirement[];
}

export type Labels = Readonly<Record<string, string>>;

function requirementHolds(req: SelectorRequirement, labels: Labels): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, req.key);
  const value = labels[req.key];
  const values = req.values ?? [];
  switch (req.operator) {
    case 'In':
      return has && value !== undefined && values.includes(value);
    case 'NotIn':
      return !has || value === undefined || !values.includes(value);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    default:
      return false; // an operator the API server would have refused
  }
}

export function selectorMatches(selector: LabelSelector | undefined, labels: Labels): boolean {
  if (!selector) return false;
  for (const [key, value] of Object.entries(selector.matchLabels ?? {}))
    if (labels[key] !== value) return false;
  return (selector.matchExpressions ?? []).every((req) => requirementHolds(req, labels));
}

/** Every label of `wanted` is on `labels` with the same value (the ReplicaSet's fullyLabeledReplicas). */
export function hasLabels(labels: Labels, wanted: Labels): boolean {
  return Object.entries(wanted).every(([key, value]) => labels[key] === value);
}
