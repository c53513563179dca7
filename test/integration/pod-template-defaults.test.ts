// Argo's same-pods rule (core/pod-template-defaults.ts) against what a real kube-apiserver (v1.37.2)
// stores: ReplicaSets made from the seed's template and from richer ones (every probe handler, lifecycle
// hooks, volumes of many kinds, quantities in several notations, ports without a protocol, hostNetwork),
// read back as raw JSON. The stored template, hash label and all, must be the template it was made from
// (what `kubectl argo rollouts undo` relies on), by samePodTemplate and by digest; another image must not.
//
// v1.37.2 defaults one thing v1.34.5 does not: an image volume's pullPolicy (ImageVolume is GA there,
// off by default at v1.34.5). Argo v1.10.2 links v1.34.5, so its controller does not recognise such a
// ReplicaSet as its Rollout's either; the last test pins that, as the limit we share.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CustomObjectsApi } from '@kubernetes/client-node';
import YAML from 'yaml';
import { canonicalJson } from '../../core/hash.js';
import {
  podTemplateDigest,
  samePodTemplate,
  semanticPodTemplate,
  withPodTemplateDefaults,
} from '../../core/pod-template-defaults.js';
import { POD_TEMPLATE_HASH_LABEL, type PodTemplate } from '../../core/types.js';
import { podTemplatesEqual } from '../support/argo-oracle.js';
import { ControlPlane } from '../support/kube-control-plane.js';
import { seedDir } from '../support/paths.js';

const NS = 'rollouts-demo';
type JsonObject = Record<string, unknown>;

let cp: ControlPlane;
let custom: CustomObjectsApi;

beforeAll(async () => {
  cp = await ControlPlane.start('pod-template-defaults');
  await cp.apply(path.join(seedDir, '00-namespace.yaml'));
  custom = cp.kubeConfig().makeApiClient(CustomObjectsApi);
}, 120_000);

afterAll(async () => {
  await cp?.stop();
}, 60_000);

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

function seedTemplate(): PodTemplate {
  const text = fs.readFileSync(path.join(seedDir, '05-rollout.yaml'), 'utf8');
  const rollout = YAML.parseAllDocuments(text)
    .map((doc) => doc.toJS() as { kind?: string; spec?: { template?: PodTemplate } })
    .find((doc) => doc.kind === 'Rollout');
  if (rollout?.spec?.template === undefined) throw new Error('examples/seed/05-rollout.yaml has no Rollout');
  return rollout.spec.template;
}

const PROBES: PodTemplate = {
  metadata: { labels: { app: 'probes' }, annotations: { 'example.com/kind': 'probes' } },
  spec: {
    hostNetwork: true,
    initContainers: [
      {
        name: 'sidecar',
        image: 'envoyproxy/envoy:v1.30.0',
        restartPolicy: 'Always',
        ports: [{ containerPort: 9901 }],
      },
      { name: 'migrate', image: 'migrate', command: ['/migrate'] },
    ],
    containers: [
      {
        name: 'web',
        image: 'nginx:latest',
        ports: [
          { containerPort: 8080, name: 'http' },
          { containerPort: 9090, protocol: 'UDP' },
        ],
        livenessProbe: { httpGet: { port: 'http' } },
        readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 5 },
        startupProbe: { grpc: { port: 9090 }, failureThreshold: 30 },
        lifecycle: {
          preStop: { httpGet: { port: 8080, path: '/drain' } },
          postStart: { sleep: { seconds: 1 } },
        },
        env: [
          { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          { name: 'CPU', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '1m' } } },
        ],
        resources: { limits: { cpu: '0.5', memory: '1024Mi' }, requests: { cpu: '250m', memory: '0.5Gi' } },
      },
      {
        name: 'worker',
        image: 'registry.example.com:5000/team/worker',
        livenessProbe: { exec: { command: ['cat', '/tmp/healthy'] }, timeoutSeconds: 3 },
        resources: { requests: { cpu: '0.0001', 'ephemeral-storage': '1.5Gi' } },
      },
    ],
  },
};

const VOLUMES: PodTemplate = {
  metadata: { labels: { app: 'volumes' } },
  spec: {
    containers: [
      {
        name: 'app',
        image: 'argoproj/rollouts-demo:green',
        volumeMounts: [
          { name: 'config', mountPath: '/config' },
          { name: 'scratch', mountPath: '/scratch' },
        ],
      },
    ],
    volumes: [
      { name: 'config', configMap: { name: 'app-config', items: [{ key: 'a', path: 'a.yaml' }] } },
      { name: 'tls', secret: { secretName: 'tls' } },
      { name: 'scratch' },
      { name: 'cache', emptyDir: { medium: 'Memory', sizeLimit: '1024Mi' } },
      {
        name: 'labels',
        downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] },
      },
      {
        name: 'bundle',
        projected: {
          sources: [
            { serviceAccountToken: { path: 'token', audience: 'api' } },
            { configMap: { name: 'app-config' } },
            { downwardAPI: { items: [{ path: 'ns', fieldRef: { fieldPath: 'metadata.namespace' } }] } },
          ],
        },
      },
      { name: 'logs', hostPath: { path: '/var/log' } },
      {
        name: 'claim',
        ephemeral: {
          volumeClaimTemplate: {
            spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
          },
        },
      },
      {
        name: 'iscsi',
        iscsi: { targetPortal: '10.0.0.1:3260', iqn: 'iqn.2001-04.com.example:disk', lun: 0 },
      },
      { name: 'rbd', rbd: { monitors: ['10.0.0.1:6789'], image: 'disk' } },
      { name: 'azure', azureDisk: { diskName: 'disk', diskURI: 'https://example.blob/disk.vhd' } },
      { name: 'nfs', nfs: { server: 'nfs.example', path: '/exports' } },
    ],
  },
};

const POD_SETTINGS: PodTemplate = {
  metadata: { labels: { app: 'settings', tier: 'batch' } },
  spec: {
    restartPolicy: 'Always',
    terminationGracePeriodSeconds: 60,
    securityContext: { runAsNonRoot: true, fsGroup: 2000 },
    serviceAccountName: 'worker',
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    nodeSelector: { disk: 'ssd' },
    tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'batch', effect: 'NoSchedule' }],
    resources: { limits: { cpu: '2', memory: '2Gi' } },
    containers: [
      {
        name: 'batch',
        image: `busybox@sha256:${'a'.repeat(64)}`,
        resources: { limits: { cpu: '1.5', memory: '1G' }, requests: { cpu: '+1', memory: '500M' } },
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
      },
    ],
  },
};

let created = 0;

/** A ReplicaSet of `template` (with a hash label, selected by it), and its template as stored. */
async function storedTemplate(template: PodTemplate): Promise<PodTemplate> {
  const name = `rs-${++created}`;
  const labels = { ...(template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH_LABEL]: `h${created}` };
  const body = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace: NS },
    spec: {
      replicas: 0,
      selector: { matchLabels: labels },
      template: { ...template, metadata: { ...(template.metadata ?? {}), labels } },
    },
  };
  await custom.createNamespacedCustomObject({
    group: 'apps',
    version: 'v1',
    namespace: NS,
    plural: 'replicasets',
    body,
  });
  const live = (await custom.getNamespacedCustomObject({
    group: 'apps',
    version: 'v1',
    namespace: NS,
    plural: 'replicasets',
    name,
  })) as { spec: { template: PodTemplate } };
  return live.spec.template;
}

/**
 * What the server stored apart from what v1.34.5's defaults give, for a readable failure (the hash
 * label and spec.serviceAccount, which the server fills from serviceAccountName, left out as Argo does).
 */
function difference(live: PodTemplate, written: PodTemplate): string {
  const identity = (template: PodTemplate) => {
    const labels = { ...(template.metadata?.labels ?? {}) };
    delete labels[POD_TEMPLATE_HASH_LABEL];
    const spec: JsonObject = { ...template.spec };
    delete spec.serviceAccount;
    return canonicalJson(
      semanticPodTemplate({ ...template, metadata: { ...template.metadata, labels }, spec } as PodTemplate),
    );
  };
  const [stored, defaulted] = [identity(live), identity(withPodTemplateDefaults(written))];
  return stored === defaulted ? '' : `stored:    ${stored}\ndefaulted: ${defaulted}`;
}

describe('pod templates as the API server (v1.37.2) stores them', () => {
  const cases: [string, () => PodTemplate][] = [
    ['the seed', seedTemplate],
    ['probes, lifecycle hooks, env and hostNetwork', () => PROBES],
    ['volumes of many kinds', () => VOLUMES],
    ['pod-level settings and resources', () => POD_SETTINGS],
  ];

  it.each(cases)('%s: the stored template is the one written, a new image is not', async (_, make) => {
    const written = make();
    const live = await storedTemplate(written);
    expect(difference(live, written)).toBe('');
    expect(samePodTemplate(live, written)).toBe(true);
    expect(podTemplateDigest(live)).toBe(podTemplateDigest(written));
    // undo writes the stored template into the Rollout: still the same pods
    expect(samePodTemplate(live, live)).toBe(true);

    const otherImage = clone(written);
    const first = otherImage.spec.containers[0];
    if (first) first.image = `${first.image}-next`;
    expect(samePodTemplate(live, otherImage)).toBe(false);
    expect(podTemplateDigest(otherImage)).not.toBe(podTemplateDigest(written));
    // and Argo's own PodTemplateEqualIgnoreHash says the same of what this server stored
    expect(
      await podTemplatesEqual([
        { live, desired: written },
        { live, desired: otherImage },
      ]),
    ).toEqual([true, false]);
  });

  it('the server writes canonical quantities and rounds sub-milli requests; the values still match', async () => {
    const live = await storedTemplate(PROBES);
    const [web, worker] = live.spec.containers as unknown as { resources: JsonObject }[];
    expect(web?.resources).toEqual({
      limits: { cpu: '500m', memory: '1Gi' },
      requests: { cpu: '250m', memory: '512Mi' },
    });
    expect(worker?.resources).toEqual({ requests: { cpu: '1m', 'ephemeral-storage': '1536Mi' } });
    // a template's hostNetwork ports keep hostPort unset (SetDefaults_Pod is for Pods only)
    expect(JSON.stringify(live)).not.toContain('hostPort');
  });

  it("an image volume's pullPolicy: defaulted by v1.37.2, not by v1.34.5, so not the same pods to Argo", async () => {
    const written: PodTemplate = {
      metadata: { labels: { app: 'image-volume' } },
      spec: {
        containers: [{ name: 'app', image: 'app:v1', volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
        volumes: [{ name: 'data', image: { reference: 'quay.io/example/data:v1' } }],
      },
    };
    const live = await storedTemplate(written);
    const volumes = (live.spec as { volumes?: { image?: JsonObject }[] }).volumes;
    expect(volumes?.[0]?.image).toEqual({ reference: 'quay.io/example/data:v1', pullPolicy: 'IfNotPresent' });
    expect(samePodTemplate(live, written)).toBe(false);
    // with the pullPolicy written, as an undo writes it, it is the same again
    expect(samePodTemplate(live, live)).toBe(true);
    expect(podTemplateDigest(live)).not.toBe(podTemplateDigest(written));
    expect(
      await podTemplatesEqual([
        { live, desired: written },
        { live, desired: live },
      ]),
    ).toEqual([false, true]);
  });
});
