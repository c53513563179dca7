// Which objects lint reads, refuses or passes on (issue 11): in the argoproj.io group every kind is
// either ours, refused (Argo Rollouts' Experiment and AnalysisRun, a typo), or another Argo project's;
// other groups (Services, VirtualServices) are not ours to validate, as before.
import { describe, expect, it } from '@jest/globals';
import { loadManifests } from '../../core/manifest/index.js';

const object = (apiVersion: string, kind: string) =>
  `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata: {name: x, namespace: demo}\nspec: {}\n`;
const errorsOf = (apiVersion: string, kind: string) =>
  loadManifests(object(apiVersion, kind), 'f.yaml').errors.map((e) => e.message);

describe('kinds of the argoproj.io group', () => {
  it.each([
    [
      'argoproj.io/v1alpha1',
      'Rolout',
      '"Rolout" is not a kind of argoproj.io/v1alpha1 that this project knows (did you mean Rollout?)',
    ],
    ['argoproj.io/v1alpha1', 'rollout', '(did you mean Rollout?)'],
    ['argoproj.io/v1alpha1', 'AnalysisTemplates', '(did you mean AnalysisTemplate?)'],
    ['argoproj.io/v1alpha1', 'Canary', 'expected one of Rollout, AnalysisTemplate, ClusterAnalysisTemplate'],
    ['argoproj.io/v1beta1', 'Rolout', '"Rolout" is not a kind of argoproj.io/v1beta1'],
    ['argoproj.io/v1alpha1', 'Experiment', 'kind: the Experiment kind is not supported yet'],
    ['argoproj.io/v1alpha1', 'AnalysisRun', 'kind: the AnalysisRun kind is not supported yet'],
  ])('%s %s is refused', (apiVersion, kind, message) => {
    const errors = errorsOf(apiVersion, kind);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(`f.yaml: ${kind} demo/x: kind: `);
    expect(errors[0]).toContain(message);
  });

  it('checks a Rollout of another version as a Rollout: its apiVersion is wrong', () => {
    expect(errorsOf('argoproj.io/v1alpha2', 'Rollout')).toContainEqual(
      expect.stringContaining('apiVersion: "argoproj.io/v1alpha2" is not argoproj.io/v1alpha1'),
    );
  });

  it.each([
    ['argoproj.io/v1alpha1', 'Workflow'],
    ['argoproj.io/v1alpha1', 'Application'],
    ['v1', 'Service'],
    ['networking.istio.io/v1beta1', 'VirtualService'],
    // not ours to know: kubectl refuses a kind its cluster does not serve
    ['apps/v1', 'Rolout'],
  ])('%s %s passes on as someone else’s object', (apiVersion, kind) => {
    const result = loadManifests(object(apiVersion, kind), 'f.yaml');
    expect(result.errors).toEqual([]);
    expect(result.others.map((o) => o.kind)).toEqual([kind]);
  });
});
