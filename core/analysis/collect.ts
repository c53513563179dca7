// Which templates one AnalysisRun is made of: a Rollout's references and, through `spec.templates`,
// the templates they include, as Argo's getAnalysisTemplatesFromRefs (rollout/analysis.go) lists them:
// depth first, each template before the ones it includes, AnalysisTemplates and
// ClusterAnalysisTemplates in two lists, each name once (FilterUniqueTemplates keeps the first).
// Argo recurses without end on a cycle (the controller dies of a stack overflow); here a cycle is an
// error naming it. Pure and generic: apply walks manifests (attach.ts), a run normalized templates.
import type { AnalysisTemplateKind, NestedTemplateRef } from './types.js';

export class TemplateCollectError extends Error {}

/** What collecting needs of a template, in whichever shape. */
export interface Collectable {
  kind: AnalysisTemplateKind;
  name: string;
  namespace: string;
  templates?: readonly NestedTemplateRef[];
}

/** How a template is named in messages: `AnalysisTemplate demo/a`, `ClusterAnalysisTemplate a`. */
export function templateLabel(t: Pick<Collectable, 'kind' | 'name' | 'namespace'>): string {
  return `${t.kind} ${t.namespace ? `${t.namespace}/` : ''}${t.name}`;
}

export function refKind(ref: NestedTemplateRef): AnalysisTemplateKind {
  return ref.clusterScope ? 'ClusterAnalysisTemplate' : 'AnalysisTemplate';
}

/** The message for a reference nothing answers, as apply has always said it. */
export function notFoundMessage(ref: NestedTemplateRef, namespace: string): string {
  const where = ref.clusterScope ? '' : ` in namespace ${namespace}`;
  return `${refKind(ref)} "${ref.templateName}"${where} not found: give it to apply -f with the Rollout`;
}

/**
 * The templates of a run of `refs` for a Rollout in `namespace`, in Argo's order: AnalysisTemplates
 * first, then ClusterAnalysisTemplates, each in the order met. `find` answers a reference (a
 * namespaced one in the Rollout's namespace, as Argo looks it up). Throws TemplateCollectError naming
 * the field of a missing or cyclic reference.
 */
export function collectTemplates<T extends Collectable>(
  refs: readonly NestedTemplateRef[],
  namespace: string,
  find: (ref: NestedTemplateRef) => T | undefined,
): T[] {
  const namespaced: T[] = [];
  const cluster: T[] = [];
  const done = new Set<string>();
  const key = (t: { kind: string; name: string }) => `${t.kind}/${t.name}`;

  const visit = (list: readonly NestedTemplateRef[], chain: T[]) => {
    list.forEach((ref, index) => {
      const found = find(ref);
      const parent = chain[chain.length - 1];
      const at = parent ? `${templateLabel(parent)}: spec.templates[${index}].templateName: ` : '';
      if (!found) throw new TemplateCollectError(`${at}${notFoundMessage(ref, namespace)}`);
      const onPath = chain.findIndex((t) => key(t) === key(found));
      if (onPath >= 0) {
        const cycle = [...chain.slice(onPath), found].map((t) => templateLabel(t)).join(' → ');
        throw new TemplateCollectError(
          `${at}"${ref.templateName}" makes a cycle: ${cycle}; remove one of these references ` +
            "(Argo's controller would recurse without end)",
        );
      }
      // Met before with all it includes: Argo would list only names it already has.
      if (done.has(key(found))) return;
      (found.kind === 'ClusterAnalysisTemplate' ? cluster : namespaced).push(found);
      visit(found.templates ?? [], [...chain, found]);
      done.add(key(found));
    });
  };
  visit(refs, []);
  return [...namespaced, ...cluster];
}
