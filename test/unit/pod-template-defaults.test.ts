// Argo's "same pods" rule against Argo's and Kubernetes' own Go (argo-oracle, tools/argo-oracle/
// pod-template.go): generated pod templates (init, regular and ephemeral containers with every probe and
// lifecycle handler, env from fields and resources, quantities in many notations, every defaulted volume
// kind, pod-level settings, explicit values equal and unequal to the defaults) go through
// core/pod-template-defaults.ts and through SetObjectDefaults_PodTemplate (k8s.io/kubernetes v1.34.5)
// and Argo v1.10.2's PodTemplateEqualIgnoreHash; quantities through core/quantity.ts and
// resource.ParseQuantity; our schema of Go's types through Go's reflection.
import { describe, expect, it } from '@jest/globals';
import { canonicalJson, podTemplateHash } from '../../core/hash.js';
import {
  fnv1a64,
  podTemplateDigest,
  podTemplateSchema,
  samePodTemplate,
  semanticPodTemplate,
  withPodTemplateDefaults,
} from '../../core/pod-template-defaults.js';
import { formatQuantity, parseQuantity, quantityKey, roundUpQuantity } from '../../core/quantity.js';
import { POD_TEMPLATE_HASH_LABEL, type PodTemplate } from '../../core/types.js';
import { seededRandom, type Random } from '../../lab/mesh/random.js';
import { defaultPodTemplates, goPodTemplateSchema, podTemplatesEqual } from '../support/argo-oracle.js';

type JsonObject = Record<string, unknown>;

const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const chance = (random: Random, p: number): boolean => random() < p;
const upTo = (random: Random, max: number): number => Math.floor(random() * (max + 1));
const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
const asTemplate = (value: unknown): PodTemplate => value as PodTemplate;
const semantic = (template: unknown): string => canonicalJson(semanticPodTemplate(asTemplate(template)));

// Each row: one value in several notations (a binary one capped at 2^63-1 by Go, like the largest int64).
const QUANTITY_GROUPS: readonly (readonly (string | number)[])[] = [
  ['500m', '0.5', '5e-1', '500000u', '0.0005k', '500000000n', '.5', 0.5],
  ['1Gi', '1024Mi', '1073741824', '1048576Ki', '1.073741824G'],
  ['2', '2000m', '2.0', '+2', '2e0', '0.002k', '02', 2],
  ['100Mi', '104857600', '102400Ki'],
  ['1.5', '1500m', '1500000000n', '15e-1', 1.5],
  ['0.0001', '100u', '100000n', '1e-4'], // below a milli-unit: a resource list rounds it up to 1m
  ['1n', '0.000000001', '1e-9'],
  ['1.0001', '1000100u'],
  ['129M', '129000000', '0.129G', '129e6'],
  ['1k', '1000', '1e3', '1E3', 1000],
  ['0', '0m', '0Ki', '0.0', 0],
  ['512Mi', '0.5Gi', '536870912'],
  ['250m', '0.25', '2.5e-1'],
  ['1E', '1000P', '1e18'],
  ['8Ei', '9223372036854775807', '16Ei'],
  ['-1', '-1000m'],
];
const groupOf = (value: unknown): readonly (string | number)[] | undefined =>
  QUANTITY_GROUPS.find((group) => group.includes(value as string | number));
const quantity = (random: Random): string | number => pick(random, pick(random, QUANTITY_GROUPS));

const IMAGES = [
  'argoproj/rollouts-demo:blue',
  'argoproj/rollouts-demo:latest',
  'nginx',
  'nginx:latest',
  'nginx:1.25',
  'localhost:5000/app',
  'registry.example.com:5000/team/app:latest',
  `app@sha256:${'a'.repeat(64)}`,
  `app:latest@sha256:${'b'.repeat(64)}`,
  'Nginx:latest',
  'nginx:LATEST',
  '',
];

function resourceList(random: Random): JsonObject {
  const names = ['cpu', 'memory', 'ephemeral-storage', 'hugepages-2Mi', 'nvidia.com/gpu'];
  return Object.fromEntries(
    names.filter(() => chance(random, 0.45)).map((name) => [name, quantity(random)] as const),
  );
}

function resources(random: Random): JsonObject {
  const out: JsonObject = {};
  if (chance(random, 0.7)) out.limits = resourceList(random);
  if (chance(random, 0.7)) out.requests = resourceList(random);
  if (chance(random, 0.1)) out.claims = [{ name: 'gpu' }];
  return out;
}

function httpGet(random: Random): JsonObject {
  const action: JsonObject = { port: pick(random, [8080, 'http', 0]) };
  if (chance(random, 0.5)) action.path = pick(random, ['', '/', '/healthz']);
  if (chance(random, 0.5)) action.scheme = pick(random, ['', 'HTTP', 'HTTPS']);
  if (chance(random, 0.2)) action.host = 'localhost';
  if (chance(random, 0.2)) action.httpHeaders = [{ name: 'X-Probe', value: 'yes' }];
  return action;
}

function probe(random: Random): JsonObject {
  const out: JsonObject = {};
  const handler = upTo(random, 3);
  if (handler === 0) out.exec = { command: ['cat', '/tmp/ready'] };
  if (handler === 1) out.httpGet = httpGet(random);
  if (handler === 2) out.tcpSocket = { port: pick(random, [8080, 'http']) };
  if (handler === 3)
    out.grpc = { port: 9090, ...(chance(random, 0.5) ? { service: pick(random, ['', 'health']) } : {}) };
  for (const [field, values] of [
    ['initialDelaySeconds', [0, 5]],
    ['timeoutSeconds', [0, 1, 5]],
    ['periodSeconds', [0, 10, 3]],
    ['successThreshold', [0, 1]],
    ['failureThreshold', [0, 3, 5]],
    ['terminationGracePeriodSeconds', [0, 10]],
  ] as const)
    if (chance(random, 0.3)) out[field] = pick(random, values);
  return out;
}

function lifecycleHandler(random: Random): JsonObject {
  return pick<() => JsonObject>(random, [
    () => ({ exec: { command: ['sh', '-c', 'sleep 1'] } }),
    () => ({ httpGet: httpGet(random) }),
    () => ({ tcpSocket: { port: 8080 } }),
    () => ({ sleep: { seconds: 5 } }),
  ])();
}

function envVar(random: Random, index: number): JsonObject {
  const name = `VAR_${index}`;
  const optional = () => (chance(random, 0.5) ? { optional: chance(random, 0.5) } : {});
  return pick<() => JsonObject>(random, [
    () => ({ name, value: pick(random, ['x', '']) }),
    () => ({
      name,
      valueFrom: {
        fieldRef: { fieldPath: 'metadata.name', ...(chance(random, 0.4) ? { apiVersion: 'v1' } : {}) },
      },
    }),
    () => ({
      name,
      valueFrom: {
        resourceFieldRef: {
          resource: 'limits.cpu',
          ...(chance(random, 0.3) ? { containerName: 'c0' } : {}),
          ...(chance(random, 0.5) ? { divisor: quantity(random) } : {}),
        },
      },
    }),
    () => ({ name, valueFrom: { configMapKeyRef: { name: 'cm', key: 'k', ...optional() } } }),
    () => ({ name, valueFrom: { secretKeyRef: { name: 's', key: 'k', ...optional() } } }),
    () => ({ name, valueFrom: { fileKeyRef: { volumeName: 'v0', path: 'env', key: 'K', ...optional() } } }),
  ])();
}

function container(random: Random, name: string, kind: 'init' | 'main' | 'ephemeral'): JsonObject {
  const c: JsonObject = { name, image: pick(random, IMAGES) };
  if (chance(random, 0.3)) c.imagePullPolicy = pick(random, ['Always', 'IfNotPresent', 'Never', '']);
  if (chance(random, 0.2)) c.command = chance(random, 0.5) ? ['/app'] : [];
  if (chance(random, 0.2)) c.args = ['--port', '8080'];
  if (chance(random, 0.5))
    c.ports = Array.from({ length: 1 + upTo(random, 2) }, (_, i) => {
      const port: JsonObject = { containerPort: pick(random, [80, 8080, 9090]) + i };
      if (chance(random, 0.5)) port.name = `p${i}`;
      if (chance(random, 0.5)) port.protocol = pick(random, ['TCP', 'UDP', 'SCTP', '']);
      if (chance(random, 0.2)) port.hostPort = pick(random, [0, 8080 + i]);
      return port;
    });
  if (chance(random, 0.5)) c.env = Array.from({ length: 1 + upTo(random, 3) }, (_, i) => envVar(random, i));
  if (chance(random, 0.1)) c.envFrom = [{ configMapRef: { name: 'cm' }, prefix: 'CM_' }];
  if (chance(random, 0.7)) c.resources = resources(random);
  for (const field of ['livenessProbe', 'readinessProbe', 'startupProbe'])
    if (chance(random, 0.35)) c[field] = probe(random);
  if (chance(random, 0.3)) {
    const lifecycle: JsonObject = {};
    if (chance(random, 0.6)) lifecycle.postStart = lifecycleHandler(random);
    if (chance(random, 0.6)) lifecycle.preStop = lifecycleHandler(random);
    c.lifecycle = lifecycle;
  }
  if (chance(random, 0.15)) c.terminationMessagePath = pick(random, ['/dev/termination-log', '/tmp/msg']);
  if (chance(random, 0.15)) c.terminationMessagePolicy = pick(random, ['File', 'FallbackToLogsOnError']);
  if (chance(random, 0.2))
    c.securityContext = pick(random, [
      {},
      { runAsNonRoot: true, runAsUser: 1000 },
      { readOnlyRootFilesystem: false, capabilities: { drop: ['ALL'] } },
    ]);
  if (chance(random, 0.3))
    c.volumeMounts = [
      { name: 'v0', mountPath: '/data', ...(chance(random, 0.5) ? { readOnly: chance(random, 0.5) } : {}) },
    ];
  if (chance(random, 0.1)) c.stdin = chance(random, 0.5);
  if (kind === 'init' && chance(random, 0.3)) c.restartPolicy = 'Always';
  if (kind === 'ephemeral' && chance(random, 0.5)) c.targetContainerName = 'c0';
  return c;
}

const optionalField = (random: Random, field: string, values: readonly unknown[]): JsonObject =>
  chance(random, 0.5) ? { [field]: pick(random, values) } : {};

/** One volume of each kind that has defaults (and a few that have none). */
function volume(random: Random, name: string): JsonObject {
  const mode = (field: string) => optionalField(random, field, [420, 0o400, 0]);
  const items = [{ key: 'a', path: 'a', ...mode('mode') }];
  const fieldRefItem = () => ({
    path: 'name',
    fieldRef: { fieldPath: 'metadata.name', ...optionalField(random, 'apiVersion', ['v1', '']) },
  });
  const sources: (() => JsonObject)[] = [
    () => ({}),
    () => ({
      emptyDir: {
        ...optionalField(random, 'medium', ['Memory', '']),
        ...optionalField(random, 'sizeLimit', [quantity(random)]),
      },
    }),
    () => ({ configMap: { name: 'cm', ...(chance(random, 0.5) ? { items } : {}), ...mode('defaultMode') } }),
    () => ({
      secret: { secretName: 's', ...mode('defaultMode'), ...optionalField(random, 'optional', [false]) },
    }),
    () => ({
      downwardAPI: {
        items: [
          fieldRefItem(),
          {
            path: 'cpu',
            resourceFieldRef: { containerName: 'c0', resource: 'limits.cpu', divisor: quantity(random) },
          },
        ],
        ...mode('defaultMode'),
      },
    }),
    () => ({
      projected: {
        sources: [
          { configMap: { name: 'cm' } },
          { secret: { name: 's', items } },
          { downwardAPI: { items: [fieldRefItem()] } },
          {
            serviceAccountToken: {
              path: 'token',
              ...optionalField(random, 'expirationSeconds', [3600, 7200]),
              ...optionalField(random, 'audience', ['api']),
            },
          },
        ].filter(() => chance(random, 0.7)),
        ...mode('defaultMode'),
      },
    }),
    () => ({
      hostPath: {
        path: '/var/log',
        ...optionalField(random, 'type', ['', 'Directory', 'DirectoryOrCreate']),
      },
    }),
    () => ({
      persistentVolumeClaim: { claimName: 'data', ...optionalField(random, 'readOnly', [true, false]) },
    }),
    () => ({
      iscsi: {
        targetPortal: '10.0.0.1:3260',
        iqn: 'iqn.2001-04.com.example:storage',
        lun: 0,
        ...optionalField(random, 'iscsiInterface', ['default', 'iface1', '']),
      },
    }),
    () => ({
      rbd: {
        monitors: ['10.0.0.1:6789'],
        image: 'img',
        ...optionalField(random, 'pool', ['rbd', 'kube', '']),
        ...optionalField(random, 'user', ['admin', 'kube']),
        ...optionalField(random, 'keyring', ['/etc/ceph/keyring', '/etc/ceph/other']),
      },
    }),
    () => ({
      azureDisk: {
        diskName: 'disk',
        diskURI: 'https://example/disk.vhd',
        ...optionalField(random, 'cachingMode', ['ReadWrite', 'None']),
        ...optionalField(random, 'fsType', ['ext4', 'xfs', '']),
        ...optionalField(random, 'readOnly', [false, true]),
        ...optionalField(random, 'kind', ['Shared', 'Managed']),
      },
    }),
    () => ({
      scaleIO: {
        gateway: 'https://gw',
        system: 'sys',
        secretRef: { name: 'sio' },
        ...optionalField(random, 'storageMode', ['ThinProvisioned', 'ThickProvisioned', '']),
        ...optionalField(random, 'fsType', ['xfs', 'ext4']),
      },
    }),
    () => ({
      ephemeral: {
        volumeClaimTemplate: chance(random, 0.15)
          ? {}
          : {
              ...(chance(random, 0.3) ? { metadata: { labels: { type: 'scratch' } } } : {}),
              spec: {
                accessModes: ['ReadWriteOnce'],
                resources: {
                  requests: { storage: quantity(random) },
                  ...(chance(random, 0.3) ? { limits: { storage: quantity(random) } } : {}),
                },
                ...optionalField(random, 'volumeMode', ['Filesystem', 'Block']),
                ...optionalField(random, 'storageClassName', ['fast', '']),
              },
            },
      },
    }),
    () => ({
      nfs: { server: 'nfs.example', path: '/exports', ...optionalField(random, 'readOnly', [false]) },
    }),
    () => ({ csi: { driver: 'csi.example.com', ...optionalField(random, 'readOnly', [false, true]) } }),
    () => ({
      image: { reference: 'quay.io/data:v1', ...optionalField(random, 'pullPolicy', ['Always', '']) },
    }),
    () => ({ fc: { targetWWNs: ['500a0982991b8dc5'], ...optionalField(random, 'lun', [0, 1]) } }),
    () => ({ gitRepo: { repository: 'https://example/repo.git' } }),
  ];
  return { name, ...pick(random, sources)() };
}

function randomTemplate(random: Random): JsonObject {
  const labels: JsonObject = { app: 'myapp' };
  if (chance(random, 0.3)) labels.tier = 'web';
  if (chance(random, 0.2)) labels[POD_TEMPLATE_HASH_LABEL] = 'abc123';
  const metadata: JsonObject = { labels };
  if (chance(random, 0.2)) metadata.annotations = { 'example.com/note': 'kept' };
  if (chance(random, 0.1)) metadata.creationTimestamp = null;
  const spec: JsonObject = {
    containers: Array.from({ length: 1 + upTo(random, 2) }, (_, i) => container(random, `c${i}`, 'main')),
  };
  if (chance(random, 0.3))
    spec.initContainers = Array.from({ length: 1 + upTo(random, 1) }, (_, i) =>
      container(random, `i${i}`, 'init'),
    );
  if (chance(random, 0.1)) spec.ephemeralContainers = [container(random, 'debug', 'ephemeral')];
  if (chance(random, 0.6))
    spec.volumes = Array.from({ length: 1 + upTo(random, 4) }, (_, i) => volume(random, `v${i}`));
  const settings: [string, readonly unknown[]][] = [
    ['restartPolicy', ['Always', 'OnFailure', 'Never', '']],
    ['dnsPolicy', ['ClusterFirst', 'Default', 'None', '']],
    ['schedulerName', ['default-scheduler', 'custom', '']],
    ['terminationGracePeriodSeconds', [0, 30, 60]],
    ['securityContext', [{}, { runAsNonRoot: true }, { fsGroup: 2000, runAsUser: 1000 }, null]],
    ['hostNetwork', [true, false]],
    ['enableServiceLinks', [true, false]],
    ['automountServiceAccountToken', [true, false]],
    ['serviceAccountName', ['app', '']],
    ['serviceAccount', ['app', 'legacy']],
    ['nodeSelector', [{ disk: 'ssd' }, {}]],
    ['tolerations', [[{ key: 'k', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 0 }]]],
    ['overhead', [{ cpu: '250m' }, { cpu: '0.0001', memory: '120Mi' }]],
    ['resources', [{ limits: { cpu: '1', memory: '1Gi' } }, { requests: { cpu: '0.5' } }, {}]],
    ['priority', [0, 1000]],
    ['activeDeadlineSeconds', [600]],
    ['dnsConfig', [{ options: [{ name: 'ndots', value: '2' }] }]],
    ['hostAliases', [[{ ip: '127.0.0.1', hostnames: ['local'] }]]],
    ['shareProcessNamespace', [false, true]],
    ['hostUsers', [false]],
    ['os', [{ name: 'linux' }]],
    ['readinessGates', [[{ conditionType: 'example.com/ready' }]]],
    ['affinity', [{ nodeAffinity: {} }, {}]],
  ];
  for (const [field, values] of settings) if (chance(random, 0.12)) spec[field] = pick(random, values);
  return { metadata, spec };
}

// ---- variations of a template ----

/** Every slot of a generated template that holds a quantity: get and set. */
function quantitySlots(template: JsonObject): { holder: JsonObject; field: string }[] {
  const slots: { holder: JsonObject; field: string }[] = [];
  const lists = (holder: unknown) => {
    for (const field of ['limits', 'requests']) {
      const list = (holder as JsonObject | undefined)?.[field] as JsonObject | undefined;
      for (const name of Object.keys(list ?? {})) slots.push({ holder: list as JsonObject, field: name });
    }
  };
  const spec = template.spec as JsonObject;
  for (const key of ['initContainers', 'containers', 'ephemeralContainers'])
    for (const c of (spec[key] as JsonObject[] | undefined) ?? []) {
      lists(c.resources);
      for (const env of (c.env as JsonObject[] | undefined) ?? []) {
        const ref = (env.valueFrom as JsonObject | undefined)?.resourceFieldRef as JsonObject | undefined;
        if (ref?.divisor !== undefined) slots.push({ holder: ref, field: 'divisor' });
      }
    }
  lists(spec.resources);
  for (const name of Object.keys((spec.overhead as JsonObject | undefined) ?? {}))
    slots.push({ holder: spec.overhead as JsonObject, field: name });
  for (const v of (spec.volumes as JsonObject[] | undefined) ?? []) {
    const emptyDir = v.emptyDir as JsonObject | undefined;
    if (emptyDir?.sizeLimit !== undefined) slots.push({ holder: emptyDir, field: 'sizeLimit' });
    for (const item of ((v.downwardAPI as JsonObject | undefined)?.items as JsonObject[] | undefined) ?? []) {
      const ref = item.resourceFieldRef as JsonObject | undefined;
      if (ref) slots.push({ holder: ref, field: 'divisor' });
    }
    const claim = (v.ephemeral as JsonObject | undefined)?.volumeClaimTemplate as JsonObject | undefined;
    lists((claim?.spec as JsonObject | undefined)?.resources);
  }
  return slots;
}

/** The same template with every quantity written in another notation of its value. */
function requoted(template: JsonObject, random: Random): JsonObject {
  const copy = clone(template);
  for (const { holder, field } of quantitySlots(copy)) {
    const others = groupOf(holder[field])?.filter((notation) => notation !== holder[field]) ?? [];
    if (others.length > 0) holder[field] = pick(random, others);
  }
  return copy;
}

/** Some of the defaults (what Go's defaulted copy has and the template lacks) written into it. */
function withExplicitDefaults(template: JsonObject, defaulted: JsonObject, random: Random): JsonObject {
  const merge = (into: unknown, from: unknown): unknown => {
    if (Array.isArray(into) && Array.isArray(from)) return into.map((item, i) => merge(item, from[i]));
    if (typeof into !== 'object' || into === null || typeof from !== 'object' || from === null) return into;
    const out: JsonObject = { ...(into as JsonObject) };
    for (const [key, value] of Object.entries(from as JsonObject))
      if (!(key in out)) {
        if (chance(random, 0.5)) out[key] = clone(value);
      } else out[key] = merge(out[key], value);
    return out;
  };
  return merge(template, defaulted) as JsonObject;
}

/** Go zero values of non-pointer fields, empty slices and maps, and null pointers written explicitly. */
function withExplicitZeros(template: JsonObject, random: Random): JsonObject {
  const copy = clone(template);
  const spec = copy.spec as JsonObject;
  const zeros: [JsonObject, string, unknown][] = [
    [spec, 'hostNetwork', false],
    [spec, 'hostPID', false],
    [spec, 'nodeName', ''],
    [spec, 'priorityClassName', ''],
    [spec, 'tolerations', []],
    [spec, 'nodeSelector', {}],
    [spec, 'affinity', null],
    [spec, 'dnsConfig', null],
    [copy.metadata as JsonObject, 'annotations', {}],
    [copy.metadata as JsonObject, 'creationTimestamp', null],
  ];
  for (const c of spec.containers as JsonObject[])
    zeros.push(
      [c, 'workingDir', ''],
      [c, 'stdin', false],
      [c, 'tty', false],
      [c, 'command', []],
      [c, 'env', null],
    );
  for (const [holder, field, value] of zeros)
    if (!(field in holder) && chance(random, 0.3)) holder[field] = value;
  return copy;
}

type Mutation = (template: JsonObject, random: Random) => void;
const firstContainer = (t: JsonObject) =>
  (t.spec as { containers: JsonObject[] }).containers[0] as JsonObject;
/** One change each: some change the pods, some only look like a change (Go decides, not us). */
const MUTATIONS: readonly Mutation[] = [
  (t) => (firstContainer(t).image = `${String(firstContainer(t).image)}-next`),
  (t) => (firstContainer(t).imagePullPolicy = 'Never'),
  (t) => ((t.metadata as { labels: JsonObject }).labels.tier = 'db'),
  (t) => ((t.metadata as { labels: JsonObject }).labels[POD_TEMPLATE_HASH_LABEL] = 'other'),
  (t) => ((t.metadata as JsonObject).annotations = { 'example.com/changed': 'yes' }),
  (t) => (firstContainer(t).ports = [{ containerPort: 7070 }]),
  (t, random) => (firstContainer(t).resources = { requests: { cpu: quantity(random) } }),
  (t) => (firstContainer(t).env = [{ name: 'NEW', value: 'v' }]),
  (t) => ((t.spec as JsonObject).hostNetwork = true),
  (t) => ((t.spec as JsonObject).hostNetwork = false),
  (t) => ((t.spec as JsonObject).automountServiceAccountToken = false),
  (t) => ((t.spec as JsonObject).terminationGracePeriodSeconds = 0),
  (t) => ((t.spec as JsonObject).terminationGracePeriodSeconds = 30),
  (t) => ((t.spec as JsonObject).enableServiceLinks = false),
  (t) => ((t.spec as JsonObject).serviceAccount = 'someone-else'),
  (t) => ((t.spec as JsonObject).dnsPolicy = 'Default'),
  (t) => ((t.spec as JsonObject).restartPolicy = 'Always'),
  (t) => ((t.spec as JsonObject).securityContext = {}),
  (t) => (firstContainer(t).readinessProbe = { httpGet: { port: 8080 } }),
  (t) => delete firstContainer(t).livenessProbe,
  (t) => (firstContainer(t).stdin = false),
  (t) => (firstContainer(t).terminationMessagePolicy = 'File'),
  (t) => {
    const containers = (t.spec as { containers: JsonObject[] }).containers;
    if (containers.length > 1) containers.reverse();
    else containers.push({ name: 'sidecar', image: 'envoy' });
  },
  (t) => {
    const volumes = ((t.spec as JsonObject).volumes as JsonObject[] | undefined) ?? [];
    (t.spec as JsonObject).volumes = [
      ...volumes,
      { name: 'extra', configMap: { name: 'cm', defaultMode: 420 } },
    ];
  },
  (t) => {
    const volumes = (t.spec as JsonObject).volumes as JsonObject[] | undefined;
    if (volumes?.[0]) volumes[0] = { name: volumes[0].name, emptyDir: {} };
    else (t.spec as JsonObject).volumes = [{ name: 'scratch' }];
  },
];

// ---- the tests ----

const TEMPLATES = 1500;

interface Pair {
  kind: string;
  live: JsonObject;
  desired: JsonObject;
}

describe('pod templates against Kubernetes v1.34.5 and Argo v1.10.2 (argo-oracle)', () => {
  it("knows Go's PodTemplateSpec types field for field (kinds, pointers, inline structs)", async () => {
    expect(podTemplateSchema()).toEqual(await goPodTemplateSchema());
  });

  it('parses, rounds and prints quantities as resource.Quantity does', async () => {
    const random = seededRandom(20);
    const suffixes = ['', 'n', 'u', 'm', 'k', 'M', 'G', 'T', 'P', 'E', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];
    const oddSuffixes = ['e3', 'E-2', 'e+5', 'e-12', 'e', 'i', 'x', 'mm', 'Kib', 'e-', 'e30', 'E-30'];
    const digits = (n: number) => Array.from({ length: n }, () => String(upTo(random, 9))).join('');
    const texts: (string | number)[] = QUANTITY_GROUPS.flat();
    for (let i = 0; i < 3000; i++) {
      if (chance(random, 0.1)) {
        texts.push(
          Array.from({ length: 1 + upTo(random, 6) }, () =>
            pick(random, [...'0123456789.+-eEinumkKMGTP ']),
          ).join(''),
        );
        continue;
      }
      const sign = pick(random, ['', '', '+', '-']);
      const whole = chance(random, 0.2)
        ? ''
        : `${chance(random, 0.2) ? '00' : ''}${digits(upTo(random, 22))}`;
      const fraction = chance(random, 0.4) ? `.${digits(upTo(random, 12))}` : '';
      const suffix = chance(random, 0.85) ? pick(random, suffixes) : pick(random, oddSuffixes);
      const text = `${sign}${whole}${fraction}${suffix}`;
      texts.push(chance(random, 0.05) ? ` ${text} ` : text);
    }
    texts.push(1e21, 0.1, -3);
    const answers = await defaultPodTemplates(
      texts.map((text) => ({
        spec: {
          containers: [{ name: 'c', image: 'i', resources: { requests: { cpu: text } } }],
          volumes: [{ name: 'v', emptyDir: { sizeLimit: text } }],
        },
      })),
    );
    const disagreements: string[] = [];
    let valid = 0;
    let rounded = 0;
    texts.forEach((text, index) => {
      const answer = answers[index] as { template?: JsonObject; error?: string };
      const parsed =
        typeof text === 'number' ? parseQuantity(JSON.stringify(text)) : parseQuantity(text.trim());
      if (answer.error !== undefined || parsed === undefined) {
        if ((answer.error !== undefined) !== (parsed === undefined))
          disagreements.push(
            `${JSON.stringify(text)}: Go ${answer.error ?? 'parses'}, ours ${parsed ? 'parses' : 'refuses'}`,
          );
        return;
      }
      valid++;
      const spec = answer.template?.spec as {
        containers: { resources: { requests: { cpu: string } } }[];
        volumes: { emptyDir: { sizeLimit: string } }[];
      };
      const sizeLimit = spec.volumes[0]?.emptyDir.sizeLimit as string;
      const cpu = spec.containers[0]?.resources.requests.cpu as string;
      const milli = roundUpQuantity(parsed, -3);
      if (milli !== parsed) rounded++;
      // Go prints its canonical form unless it kept the text it parsed (when that was canonical enough).
      const written = String(text).trim();
      const checks: [string, string, string][] = [
        ['sizeLimit', sizeLimit, formatQuantity(parsed)],
        ['requests.cpu', cpu, formatQuantity(milli)],
      ];
      for (const [where, theirs, mine] of checks) {
        const sameValue =
          quantityKey(parseQuantity(theirs) ?? parsed) ===
          quantityKey(where === 'sizeLimit' ? parsed : milli);
        if (!sameValue || (theirs !== mine && theirs !== written))
          disagreements.push(`${JSON.stringify(text)} ${where}: Go ${theirs}, ours ${mine}`);
      }
      if (milli !== parsed && cpu !== formatQuantity(milli))
        disagreements.push(`${String(text)}: rounded ${cpu}`);
    });
    console.log(
      `quantities: ${texts.length} texts, ${valid} valid, ${rounded} rounded up, ${disagreements.length} disagreements`,
    );
    expect(disagreements.slice(0, 10)).toEqual([]);
    expect(valid).toBeGreaterThan(texts.length / 2);
    expect(rounded).toBeGreaterThan(100);
    expect(texts.length - valid).toBeGreaterThan(200);
  });

  it("compares metadata timestamps by instant, as metav1.Time's Semantic rule does", async () => {
    const times = [
      null,
      '0001-01-01T00:00:00Z',
      '2024-02-29T08:00:00Z',
      '2024-02-29T10:00:00+02:00',
      '2024-02-28T23:30:00-08:30',
      '2024-02-29T08:00:00.000Z',
      '2024-02-29T08:00:00.5Z',
      '2024-02-29T08:00:00,500000000001Z',
      '1969-12-31T23:59:59Z',
    ];
    const at = (field: string, time: string | null) =>
      asTemplate({
        metadata: { labels: { app: 'a' }, [field]: time },
        spec: { containers: [{ name: 'c', image: 'i:1' }] },
      });
    const pairs = ['creationTimestamp', 'deletionTimestamp'].flatMap((field) =>
      times.flatMap((a) =>
        times.map((b) => ({ live: withPodTemplateDefaults(at(field, a)), desired: at(field, b) })),
      ),
    );
    const verdicts = await podTemplatesEqual(pairs);
    expect(pairs.map(({ live, desired }) => samePodTemplate(live, desired))).toEqual(verdicts);
    expect(verdicts.filter(Boolean).length).toBeGreaterThan(times.length * 2);
  });

  it('decides imagePullPolicy from the image as parsers.ParseImageName does', async () => {
    const images = [
      ...IMAGES,
      'a'.repeat(64),
      `${'a'.repeat(64)}:latest`,
      'ubuntu:22.04',
      'library/ubuntu',
      'docker.io/library/ubuntu:latest',
      'index.docker.io/ubuntu',
      'Registry.Example.com/app',
      'example.com/App:latest',
      'localhost/app',
      '[::1]:5000/app:latest',
      'app:latest@sha256:short',
      `app@sha512:${'c'.repeat(128)}`,
      `app@sha384:${'d'.repeat(96)}`,
      `app@md5:${'e'.repeat(32)}`,
      `app@sha256:${'A'.repeat(64)}`,
      'app:',
      'app:-bad',
      `app:${'t'.repeat(128)}`,
      `app:${'t'.repeat(129)}`,
      `${'x/'.repeat(130)}app`,
      'a--b__c.d/e_f:latest',
      'a/b/c/d:latest',
      'UPPER',
      ' nginx',
    ];
    const answers = await defaultPodTemplates(
      images.map((image) => ({ spec: { containers: [{ name: 'c', image }] } })),
    );
    const ours = images.map((image) => {
      const defaulted = withPodTemplateDefaults(asTemplate({ spec: { containers: [{ name: 'c', image }] } }));
      return defaulted.spec.containers[0]?.imagePullPolicy;
    });
    const theirs = answers.map(
      (a) => (a.template?.spec as { containers: JsonObject[] }).containers[0]?.imagePullPolicy,
    );
    expect(ours).toEqual(theirs);
    expect(theirs).toContain('Always');
    expect(theirs).toContain('IfNotPresent');
  });

  it('defaults every generated template as SetObjectDefaults_PodTemplate does', async () => {
    const random = seededRandom(21);
    const templates = Array.from({ length: TEMPLATES }, () => randomTemplate(random));
    const answers = await defaultPodTemplates(templates);
    const disagreements: string[] = [];
    templates.forEach((template, index) => {
      const answer = answers[index] as { template?: JsonObject; error?: string };
      if (answer.error !== undefined) return disagreements.push(`#${index}: oracle error ${answer.error}`);
      const ours = semantic(withPodTemplateDefaults(asTemplate(template)));
      const theirs = semantic(answer.template);
      if (ours !== theirs)
        disagreements.push(`#${index} ${JSON.stringify(template)}\n Go:   ${theirs}\n ours: ${ours}`);
      // Defaults are idempotent: Go's defaulted template is a fixed point of ours.
      else if (semantic(withPodTemplateDefaults(asTemplate(answer.template))) !== theirs)
        disagreements.push(`#${index}: not a fixed point`);
    });
    const all = JSON.stringify(answers);
    console.log(
      `pod-template defaults: ${templates.length} templates, ${templates.length - disagreements.length} agreed`,
    );
    expect(disagreements.slice(0, 3)).toEqual([]);
    // the generated templates reach every default
    for (const needle of [
      '"imagePullPolicy":"Always"',
      '"protocol":"TCP"',
      '"scheme":"HTTP"',
      '"service":""',
      '"apiVersion":"v1"',
      '"optional":false',
      '"defaultMode":420',
      '"expirationSeconds":3600',
      '"type":""',
      '"iscsiInterface":"default"',
      '"keyring":"/etc/ceph/keyring"',
      '"kind":"Shared"',
      '"storageMode":"ThinProvisioned"',
      '"volumeMode":"Filesystem"',
      '"emptyDir":{}',
      '"cpu":"1m"',
      '"schedulerName":"default-scheduler"',
    ])
      expect(all).toContain(needle);
  }, 120_000);

  it("says 'same pods' exactly when PodTemplateEqualIgnoreHash does, and so does the digest", async () => {
    const random = seededRandom(22);
    const templates = Array.from({ length: TEMPLATES }, () => randomTemplate(random));
    const defaulted = (await defaultPodTemplates(templates)).map((a) => a.template as JsonObject);
    const pairs: Pair[] = [];
    templates.forEach((t, i) => {
      const d = defaulted[i] as JsonObject;
      const labelled = clone(d);
      (labelled.metadata as JsonObject).labels = {
        ...((labelled.metadata as JsonObject).labels as JsonObject),
        [POD_TEMPLATE_HASH_LABEL]: 'live-hash',
      };
      const mutated = clone(t);
      pick(random, MUTATIONS)(mutated, random);
      pairs.push(
        { kind: 'server copy vs template', live: labelled, desired: t },
        { kind: 'server copy vs one change', live: d, desired: mutated },
        { kind: 'server copy vs other notations', live: d, desired: requoted(t, random) },
        { kind: 'server copy vs explicit defaults', live: d, desired: withExplicitDefaults(t, d, random) },
        { kind: 'server copy vs explicit zeros', live: d, desired: withExplicitZeros(t, random) },
        { kind: 'server copy vs itself', live: labelled, desired: d },
        { kind: 'template vs one change', live: t, desired: mutated },
        { kind: 'template vs other notations', live: t, desired: requoted(t, random) },
      );
    });
    const verdicts = await podTemplatesEqual(pairs);
    const disagreements: string[] = [];
    const tally: Record<string, [number, number]> = {};
    pairs.forEach((pair, index) => {
      const argo = verdicts[index] as boolean;
      const counts = (tally[pair.kind] ??= [0, 0]);
      counts[argo ? 0 : 1]++;
      const ours = samePodTemplate(asTemplate(pair.live), asTemplate(pair.desired));
      if (ours !== argo)
        disagreements.push(
          `${pair.kind}: Argo ${argo}, ours ${ours}\n live: ${JSON.stringify(pair.live)}\n desired: ${JSON.stringify(pair.desired)}`,
        );
      // A server copy is already defaulted: then the digests agree exactly when Argo does.
      if (pair.kind.startsWith('server copy')) {
        const sameDigest =
          podTemplateDigest(asTemplate(pair.live)) === podTemplateDigest(asTemplate(pair.desired));
        if (sameDigest !== argo)
          disagreements.push(`${pair.kind}: Argo ${argo}, digests ${sameDigest ? 'equal' : 'differ'}`);
      }
    });
    console.log(
      `pod-template equality: ${pairs.length} pairs, ${pairs.length - disagreements.length} agreed; same/different by kind ${JSON.stringify(tally)}`,
    );
    expect(disagreements.slice(0, 3)).toEqual([]);
    // A server copy is its template's pods, whatever the notation or explicit defaults; a bare template
    // as the live side never is (only the desired side is defaulted); one change sometimes is.
    for (const kind of [
      'vs template',
      'vs other notations',
      'vs explicit defaults',
      'vs explicit zeros',
      'vs itself',
    ])
      expect(tally[`server copy ${kind}`]).toEqual([TEMPLATES, 0]);
    expect(tally['template vs one change']).toEqual([0, TEMPLATES]);
    const [same = 0, different = 0] = tally['server copy vs one change'] ?? [];
    expect(Math.min(same, different)).toBeGreaterThan(TEMPLATES / 5);
  }, 120_000);
});

// The seed's template (examples/seed/05-rollout.yaml) and the ReplicaSet template the API server stored
// for it (v1.37.2, read back by test/integration/pod-template-defaults.test.ts).
const SEED_TEMPLATE = {
  metadata: { labels: { app: 'myapp' } },
  spec: {
    containers: [
      {
        name: 'myapp',
        image: 'argoproj/rollouts-demo:blue',
        ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
        resources: { requests: { memory: '32Mi', cpu: '5m' } },
      },
    ],
  },
};
const SEED_AS_STORED = {
  metadata: { labels: { app: 'myapp', [POD_TEMPLATE_HASH_LABEL]: 'h1' } },
  spec: {
    containers: [
      {
        name: 'myapp',
        image: 'argoproj/rollouts-demo:blue',
        ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
        resources: { requests: { cpu: '5m', memory: '32Mi' } },
        terminationMessagePath: '/dev/termination-log',
        terminationMessagePolicy: 'File',
        imagePullPolicy: 'IfNotPresent',
      },
    ],
    restartPolicy: 'Always',
    terminationGracePeriodSeconds: 30,
    dnsPolicy: 'ClusterFirst',
    securityContext: {},
    schedulerName: 'default-scheduler',
  },
};

const template = (spec: JsonObject, labels: JsonObject = { app: 'myapp' }): PodTemplate =>
  asTemplate({ metadata: { labels }, spec });
const seedWith = (change: (t: JsonObject) => void): PodTemplate => {
  const t = clone(SEED_TEMPLATE) as JsonObject;
  change(t);
  return asTemplate(t);
};

describe("Argo's same-pods rule, case by case", () => {
  it('an undo (the ReplicaSet template as stored, written back into the Rollout) is the same pods', () => {
    const written = asTemplate(SEED_TEMPLATE);
    const stored = asTemplate(SEED_AS_STORED);
    expect(samePodTemplate(stored, written)).toBe(true);
    expect(samePodTemplate(stored, stored)).toBe(true); // what undo writes into spec.template
    expect(podTemplateDigest(stored)).toBe(podTemplateDigest(written));
    // what core/hash.ts alone would say: a new template, so the canary steps again
    expect(podTemplateHash(stored)).not.toBe(podTemplateHash(written));
  });

  it('an image change is not the same pods', () => {
    const changed = seedWith((t) => (firstContainer(t).image = 'argoproj/rollouts-demo:yellow'));
    expect(samePodTemplate(asTemplate(SEED_AS_STORED), changed)).toBe(false);
    expect(podTemplateDigest(changed)).not.toBe(podTemplateDigest(asTemplate(SEED_TEMPLATE)));
  });

  it('the order of map keys does not matter', () => {
    const reordered = asTemplate({
      spec: {
        containers: [
          {
            resources: { requests: { cpu: '5m', memory: '32Mi' } },
            ports: [{ protocol: 'TCP', containerPort: 8080, name: 'http' }],
            image: 'argoproj/rollouts-demo:blue',
            name: 'myapp',
          },
        ],
      },
      metadata: { labels: { app: 'myapp' } },
    });
    expect(samePodTemplate(asTemplate(SEED_AS_STORED), reordered)).toBe(true);
    expect(podTemplateDigest(reordered)).toBe(podTemplateDigest(asTemplate(SEED_TEMPLATE)));
  });

  it('the order of containers does', () => {
    const a = { name: 'a', image: 'nginx:1' };
    const b = { name: 'b', image: 'envoy:1' };
    const ab = template({ containers: [a, b] });
    const ba = template({ containers: [b, a] });
    expect(samePodTemplate(withPodTemplateDefaults(ab), ba)).toBe(false);
    expect(podTemplateDigest(ab)).not.toBe(podTemplateDigest(ba));
  });

  it('quantities compare by value: 0.5 is 500m and 1Gi is 1024Mi, but 1G is not 1Gi', () => {
    const withMemory = (cpu: string, memory: string) =>
      template({ containers: [{ name: 'c', image: 'i:1', resources: { limits: { cpu, memory } } }] });
    expect(podTemplateDigest(withMemory('0.5', '1Gi'))).toBe(podTemplateDigest(withMemory('500m', '1024Mi')));
    expect(
      samePodTemplate(withPodTemplateDefaults(withMemory('0.5', '1Gi')), withMemory('500m', '1024Mi')),
    ).toBe(true);
    expect(podTemplateDigest(withMemory('0.5', '1G'))).not.toBe(podTemplateDigest(withMemory('0.5', '1Gi')));
  });

  it('a Go zero value equals an absent field only where Go has no pointer', () => {
    const base = template({ containers: [{ name: 'c', image: 'i:1' }] });
    const spec = (extra: JsonObject) => template({ containers: [{ name: 'c', image: 'i:1' }], ...extra });
    const live = withPodTemplateDefaults(base);
    expect(samePodTemplate(live, spec({ hostNetwork: false, nodeSelector: {}, tolerations: [] }))).toBe(true);
    expect(samePodTemplate(live, spec({ automountServiceAccountToken: false }))).toBe(false);
    expect(samePodTemplate(live, spec({ activeDeadlineSeconds: 0 }))).toBe(false);
  });

  it('only the desired side is defaulted: a bare live template is not its own defaulted self', () => {
    const bare = template({ containers: [{ name: 'c', image: 'i:1' }] });
    expect(samePodTemplate(bare, bare)).toBe(false);
    expect(samePodTemplate(withPodTemplateDefaults(bare), bare)).toBe(true);
  });

  it("the hash label and the deprecated spec.serviceAccount are not the pods' identity", () => {
    const live = withPodTemplateDefaults(seedWith((t) => ((t.spec as JsonObject).serviceAccount = 'old')));
    const desired = asTemplate(SEED_TEMPLATE);
    (live.metadata?.labels ?? {})[POD_TEMPLATE_HASH_LABEL] = 'abc';
    expect(samePodTemplate(live, desired)).toBe(true);
    expect(podTemplateDigest(live)).toBe(podTemplateDigest(desired));
  });

  it('hostNetwork does not default hostPort in a template (SetDefaults_Pod is for Pods)', () => {
    const defaulted = withPodTemplateDefaults(
      template({
        hostNetwork: true,
        containers: [{ name: 'c', image: 'i:1', ports: [{ containerPort: 80 }] }],
      }),
    );
    expect(defaulted.spec.containers[0]).toMatchObject({ ports: [{ containerPort: 80, protocol: 'TCP' }] });
    expect(JSON.stringify(defaulted)).not.toContain('hostPort');
    expect(defaulted.spec.enableServiceLinks).toBeUndefined();
  });

  it('withPodTemplateDefaults leaves its input alone', () => {
    const input = clone(SEED_TEMPLATE);
    withPodTemplateDefaults(asTemplate(input));
    expect(input).toEqual(SEED_TEMPLATE);
  });

  it('fnv1a64 is 64-bit FNV-1a over UTF-8', () => {
    expect(fnv1a64('')).toBe('cbf29ce484222325');
    expect(fnv1a64('a')).toBe('af63dc4c8601ec8c');
    expect(fnv1a64('foobar')).toBe('85944171f73967e8');
    expect(fnv1a64('é')).not.toBe(fnv1a64('e'));
    expect(podTemplateDigest(asTemplate(SEED_TEMPLATE))).toMatch(/^[0-9a-f]{16}$/);
  });
});
