// The apply side of the manifest pipeline as scripts call it (client/manifest-files.ts over
// core/manifest/pipeline.ts): the files' Rollouts with their templates attached, or every error
// naming file, object and field, with no cluster to look in.
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import {
  loadRolloutFiles,
  ManifestFilesError,
  readRolloutFiles,
  UnreadableFileError,
} from '../../client/manifest-files.js';
import { seedDir } from '../support/paths.js';

const template = path.join(seedDir, '04-analysistemplate.yaml');
const rollout = path.join(seedDir, '05-rollout.yaml');
const noCluster = { kubeconfig: '' };

describe('loadRolloutFiles', () => {
  it('gives each Rollout the AnalysisTemplates it uses', async () => {
    const [definition, ...more] = await loadRolloutFiles([template, rollout], noCluster);
    expect(more).toEqual([]);
    expect(definition).toMatchObject({ namespace: 'rollouts-demo', name: 'myapp' });
    expect(definition?.analysisTemplates?.map((t) => t.name)).toEqual(['istio-success-rate']);
  });

  it('throws every error, each naming the file, when a template is missing', async () => {
    const failure = await loadRolloutFiles([rollout], noCluster).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(ManifestFilesError);
    expect((failure as ManifestFilesError).errors).toEqual([
      `${rollout}: Rollout rollouts-demo/myapp: spec.strategy.canary.analysis: AnalysisTemplate "istio-success-rate" in namespace rollouts-demo not found: give it to apply -f with the Rollout`,
    ]);
  });

  it('throws UnreadableFileError for a file it cannot read, before looking at the others', async () => {
    const failure = await loadRolloutFiles([template, '/nonexistent.yaml'], noCluster).catch(
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(UnreadableFileError);
    expect((failure as Error).message).toBe('/nonexistent.yaml: cannot read the file (ENOENT)');
  });
});

describe('readRolloutFiles', () => {
  it('refuses a Rollout of another namespace than -n, as kubectl does', async () => {
    const { errors } = await readRolloutFiles([template, rollout], { ...noCluster, namespaceFlag: 'other' });
    expect(errors).toEqual([
      `${rollout}: Rollout rollouts-demo/myapp: metadata.namespace: "rollouts-demo" does not match -n other`,
    ]);
  });
});
