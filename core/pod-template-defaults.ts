// Argo's rule for "this ReplicaSet's pods are the Rollout's" (utils/replicaset.PodTemplateEqualIgnoreHash,
// Argo Rollouts v1.10.2, behind FindNewReplicaSet): the rollouts-pod-template-hash label dropped on both
// sides, the desired side defaulted by Kubernetes' SetObjectDefaults_PodTemplate (k8s.io/kubernetes
// v1.34.5, pkg/apis/core/v1, what Argo links), the deprecated spec.serviceAccount blanked on both, then
// apiequality.Semantic.DeepEqual. `kubectl argo rollouts undo` writes a ReplicaSet's template, as the API
// server stored it (defaulted, quantities rewritten), into the Rollout: only this rule, not a hash of the
// template as written (core/hash.ts), knows it for the stable's. Pure: it runs in the workflow sandbox.
//
// Feature gates: SetObjectDefaults_PodTemplate reads one, ImageVolume (an image volume's pullPolicy from
// its tag), off by default at v1.34.5 (beta), so pullPolicy is left alone as Argo's controller leaves it.
// SetDefaults_Pod (enableServiceLinks, hostPort from containerPort under hostNetwork, requests from
// limits, pod-level resources) is for Pods only: no template gets it, on the server or in Argo.
// A v1.37.2 API server, where ImageVolume is GA, does default that pullPolicy: a ReplicaSet with an image
// volume written without one is then not the same pods, to Argo v1.10.2 or to us, until the stored
// template is written back (test/integration/pod-template-defaults.test.ts).
import { canonicalJson } from './hash.js';
import { isObject } from './json.js';
import { formatQuantity, quantityFromJson, quantityKey, roundUpQuantity } from './quantity.js';
import { POD_TEMPLATE_HASH_LABEL, type PodTemplate } from './types.js';

type JsonObject = Record<string, unknown>;

// How Go decodes a PodTemplateSpec (k8s.io/api v0.34.5): per struct type, each JSON field and its kind.
// "-" a string, number or bool; "q" a resource.Quantity; "i" an IntOrString; "t" a metav1.Time; "raw"
// a type with its own decoding; a type name a struct; "*K" a pointer to K; "[]K" a slice; "{}K" a map.
// A non-pointer zero value equals an absent field under Semantic.DeepEqual, a pointer to one does not.
// Generated from Go's reflection by the argo-oracle (podTemplateSchema), which the unit test compares.
const GO_SCHEMA = `
PodTemplateSpec metadata:ObjectMeta spec:PodSpec
ObjectMeta name:- generateName:- namespace:- selfLink:- uid:- resourceVersion:- generation:-
  creationTimestamp:t deletionTimestamp:*t deletionGracePeriodSeconds:*- labels:{}- annotations:{}-
  ownerReferences:[]OwnerReference finalizers:[]- managedFields:[]ManagedFieldsEntry
PodSpec volumes:[]Volume initContainers:[]Container containers:[]Container
  ephemeralContainers:[]EphemeralContainer restartPolicy:- terminationGracePeriodSeconds:*-
  activeDeadlineSeconds:*- dnsPolicy:- nodeSelector:{}- serviceAccountName:- serviceAccount:-
  automountServiceAccountToken:*- nodeName:- hostNetwork:- hostPID:- hostIPC:- shareProcessNamespace:*-
  securityContext:*PodSecurityContext imagePullSecrets:[]LocalObjectReference hostname:- subdomain:-
  affinity:*Affinity schedulerName:- tolerations:[]Toleration hostAliases:[]HostAlias
  priorityClassName:- priority:*- dnsConfig:*PodDNSConfig readinessGates:[]PodReadinessGate
  runtimeClassName:*- enableServiceLinks:*- preemptionPolicy:*- overhead:{}q
  topologySpreadConstraints:[]TopologySpreadConstraint setHostnameAsFQDN:*- os:*PodOS hostUsers:*-
  schedulingGates:[]PodSchedulingGate resourceClaims:[]PodResourceClaim resources:*ResourceRequirements
  hostnameOverride:*-
Container name:- image:- command:[]- args:[]- workingDir:- ports:[]ContainerPort envFrom:[]EnvFromSource
  env:[]EnvVar resources:ResourceRequirements resizePolicy:[]ContainerResizePolicy restartPolicy:*-
  restartPolicyRules:[]ContainerRestartRule volumeMounts:[]VolumeMount volumeDevices:[]VolumeDevice
  livenessProbe:*Probe readinessProbe:*Probe startupProbe:*Probe lifecycle:*Lifecycle
  terminationMessagePath:- terminationMessagePolicy:- imagePullPolicy:- securityContext:*SecurityContext
  stdin:- stdinOnce:- tty:-
EphemeralContainer name:- image:- command:[]- args:[]- workingDir:- ports:[]ContainerPort
  envFrom:[]EnvFromSource env:[]EnvVar resources:ResourceRequirements
  resizePolicy:[]ContainerResizePolicy restartPolicy:*- restartPolicyRules:[]ContainerRestartRule
  volumeMounts:[]VolumeMount volumeDevices:[]VolumeDevice livenessProbe:*Probe readinessProbe:*Probe
  startupProbe:*Probe lifecycle:*Lifecycle terminationMessagePath:- terminationMessagePolicy:-
  imagePullPolicy:- securityContext:*SecurityContext stdin:- stdinOnce:- tty:- targetContainerName:-
Volume name:- hostPath:*HostPathVolumeSource emptyDir:*EmptyDirVolumeSource
  gcePersistentDisk:*GCEPersistentDiskVolumeSource
  awsElasticBlockStore:*AWSElasticBlockStoreVolumeSource gitRepo:*GitRepoVolumeSource
  secret:*SecretVolumeSource nfs:*NFSVolumeSource iscsi:*ISCSIVolumeSource
  glusterfs:*GlusterfsVolumeSource persistentVolumeClaim:*PersistentVolumeClaimVolumeSource
  rbd:*RBDVolumeSource flexVolume:*FlexVolumeSource cinder:*CinderVolumeSource
  cephfs:*CephFSVolumeSource flocker:*FlockerVolumeSource downwardAPI:*DownwardAPIVolumeSource
  fc:*FCVolumeSource azureFile:*AzureFileVolumeSource configMap:*ConfigMapVolumeSource
  vsphereVolume:*VsphereVirtualDiskVolumeSource quobyte:*QuobyteVolumeSource
  azureDisk:*AzureDiskVolumeSource photonPersistentDisk:*PhotonPersistentDiskVolumeSource
  projected:*ProjectedVolumeSource portworxVolume:*PortworxVolumeSource scaleIO:*ScaleIOVolumeSource
  storageos:*StorageOSVolumeSource csi:*CSIVolumeSource ephemeral:*EphemeralVolumeSource
  image:*ImageVolumeSource
AWSElasticBlockStoreVolumeSource volumeID:- fsType:- partition:- readOnly:-
Affinity nodeAffinity:*NodeAffinity podAffinity:*PodAffinity podAntiAffinity:*PodAntiAffinity
AppArmorProfile type:- localhostProfile:*-
AzureDiskVolumeSource diskName:- diskURI:- cachingMode:*- fsType:*- readOnly:*- kind:*-
AzureFileVolumeSource secretName:- shareName:- readOnly:-
CSIVolumeSource driver:- readOnly:*- fsType:*- volumeAttributes:{}-
  nodePublishSecretRef:*LocalObjectReference
Capabilities add:[]- drop:[]-
CephFSVolumeSource monitors:[]- path:- user:- secretFile:- secretRef:*LocalObjectReference readOnly:-
CinderVolumeSource volumeID:- fsType:- readOnly:- secretRef:*LocalObjectReference
ClusterTrustBundleProjection name:*- signerName:*- labelSelector:*LabelSelector optional:*- path:-
ConfigMapEnvSource name:- optional:*-
ConfigMapKeySelector name:- key:- optional:*-
ConfigMapProjection name:- items:[]KeyToPath optional:*-
ConfigMapVolumeSource name:- items:[]KeyToPath defaultMode:*- optional:*-
ContainerPort name:- hostPort:- containerPort:- protocol:- hostIP:-
ContainerResizePolicy resourceName:- restartPolicy:-
ContainerRestartRule action:- exitCodes:*ContainerRestartRuleOnExitCodes
ContainerRestartRuleOnExitCodes operator:- values:[]-
DownwardAPIProjection items:[]DownwardAPIVolumeFile
DownwardAPIVolumeFile path:- fieldRef:*ObjectFieldSelector resourceFieldRef:*ResourceFieldSelector
  mode:*-
DownwardAPIVolumeSource items:[]DownwardAPIVolumeFile defaultMode:*-
EmptyDirVolumeSource medium:- sizeLimit:*q
EnvFromSource prefix:- configMapRef:*ConfigMapEnvSource secretRef:*SecretEnvSource
EnvVar name:- value:- valueFrom:*EnvVarSource
EnvVarSource fieldRef:*ObjectFieldSelector resourceFieldRef:*ResourceFieldSelector
  configMapKeyRef:*ConfigMapKeySelector secretKeyRef:*SecretKeySelector fileKeyRef:*FileKeySelector
EphemeralVolumeSource volumeClaimTemplate:*PersistentVolumeClaimTemplate
ExecAction command:[]-
FCVolumeSource targetWWNs:[]- lun:*- fsType:- readOnly:- wwids:[]-
FileKeySelector volumeName:- path:- key:- optional:*-
FlexVolumeSource driver:- fsType:- secretRef:*LocalObjectReference readOnly:- options:{}-
FlockerVolumeSource datasetName:- datasetUUID:-
GCEPersistentDiskVolumeSource pdName:- fsType:- partition:- readOnly:-
GRPCAction port:- service:*-
GitRepoVolumeSource repository:- revision:- directory:-
GlusterfsVolumeSource endpoints:- path:- readOnly:-
HTTPGetAction path:- port:i host:- scheme:- httpHeaders:[]HTTPHeader
HTTPHeader name:- value:-
HostAlias ip:- hostnames:[]-
HostPathVolumeSource path:- type:*-
ISCSIVolumeSource targetPortal:- iqn:- lun:- iscsiInterface:- fsType:- readOnly:- portals:[]-
  chapAuthDiscovery:- chapAuthSession:- secretRef:*LocalObjectReference initiatorName:*-
ImageVolumeSource reference:- pullPolicy:-
KeyToPath key:- path:- mode:*-
LabelSelector matchLabels:{}- matchExpressions:[]LabelSelectorRequirement
LabelSelectorRequirement key:- operator:- values:[]-
Lifecycle postStart:*LifecycleHandler preStop:*LifecycleHandler stopSignal:*-
LifecycleHandler exec:*ExecAction httpGet:*HTTPGetAction tcpSocket:*TCPSocketAction sleep:*SleepAction
LocalObjectReference name:-
ManagedFieldsEntry manager:- operation:- apiVersion:- time:*t fieldsType:- fieldsV1:*raw subresource:-
NFSVolumeSource server:- path:- readOnly:-
NodeAffinity requiredDuringSchedulingIgnoredDuringExecution:*NodeSelector
  preferredDuringSchedulingIgnoredDuringExecution:[]PreferredSchedulingTerm
NodeSelector nodeSelectorTerms:[]NodeSelectorTerm
NodeSelectorRequirement key:- operator:- values:[]-
NodeSelectorTerm matchExpressions:[]NodeSelectorRequirement matchFields:[]NodeSelectorRequirement
ObjectFieldSelector apiVersion:- fieldPath:-
OwnerReference apiVersion:- kind:- name:- uid:- controller:*- blockOwnerDeletion:*-
PersistentVolumeClaimSpec accessModes:[]- selector:*LabelSelector resources:VolumeResourceRequirements
  volumeName:- storageClassName:*- volumeMode:*- dataSource:*TypedLocalObjectReference
  dataSourceRef:*TypedObjectReference volumeAttributesClassName:*-
PersistentVolumeClaimTemplate metadata:ObjectMeta spec:PersistentVolumeClaimSpec
PersistentVolumeClaimVolumeSource claimName:- readOnly:-
PhotonPersistentDiskVolumeSource pdID:- fsType:-
PodAffinity requiredDuringSchedulingIgnoredDuringExecution:[]PodAffinityTerm
  preferredDuringSchedulingIgnoredDuringExecution:[]WeightedPodAffinityTerm
PodAffinityTerm labelSelector:*LabelSelector namespaces:[]- topologyKey:-
  namespaceSelector:*LabelSelector matchLabelKeys:[]- mismatchLabelKeys:[]-
PodAntiAffinity requiredDuringSchedulingIgnoredDuringExecution:[]PodAffinityTerm
  preferredDuringSchedulingIgnoredDuringExecution:[]WeightedPodAffinityTerm
PodCertificateProjection signerName:- keyType:- maxExpirationSeconds:*- credentialBundlePath:- keyPath:-
  certificateChainPath:-
PodDNSConfig nameservers:[]- searches:[]- options:[]PodDNSConfigOption
PodDNSConfigOption name:- value:*-
PodOS name:-
PodReadinessGate conditionType:-
PodResourceClaim name:- resourceClaimName:*- resourceClaimTemplateName:*-
PodSchedulingGate name:-
PodSecurityContext seLinuxOptions:*SELinuxOptions windowsOptions:*WindowsSecurityContextOptions
  runAsUser:*- runAsGroup:*- runAsNonRoot:*- supplementalGroups:[]- supplementalGroupsPolicy:*-
  fsGroup:*- sysctls:[]Sysctl fsGroupChangePolicy:*- seccompProfile:*SeccompProfile
  appArmorProfile:*AppArmorProfile seLinuxChangePolicy:*-
PortworxVolumeSource volumeID:- fsType:- readOnly:-
PreferredSchedulingTerm weight:- preference:NodeSelectorTerm
Probe exec:*ExecAction httpGet:*HTTPGetAction tcpSocket:*TCPSocketAction grpc:*GRPCAction
  initialDelaySeconds:- timeoutSeconds:- periodSeconds:- successThreshold:- failureThreshold:-
  terminationGracePeriodSeconds:*-
ProjectedVolumeSource sources:[]VolumeProjection defaultMode:*-
QuobyteVolumeSource registry:- volume:- readOnly:- user:- group:- tenant:-
RBDVolumeSource monitors:[]- image:- fsType:- pool:- user:- keyring:- secretRef:*LocalObjectReference
  readOnly:-
ResourceClaim name:- request:-
ResourceFieldSelector containerName:- resource:- divisor:q
ResourceRequirements limits:{}q requests:{}q claims:[]ResourceClaim
SELinuxOptions user:- role:- type:- level:-
ScaleIOVolumeSource gateway:- system:- secretRef:*LocalObjectReference sslEnabled:- protectionDomain:-
  storagePool:- storageMode:- volumeName:- fsType:- readOnly:-
SeccompProfile type:- localhostProfile:*-
SecretEnvSource name:- optional:*-
SecretKeySelector name:- key:- optional:*-
SecretProjection name:- items:[]KeyToPath optional:*-
SecretVolumeSource secretName:- items:[]KeyToPath defaultMode:*- optional:*-
SecurityContext capabilities:*Capabilities privileged:*- seLinuxOptions:*SELinuxOptions
  windowsOptions:*WindowsSecurityContextOptions runAsUser:*- runAsGroup:*- runAsNonRoot:*-
  readOnlyRootFilesystem:*- allowPrivilegeEscalation:*- procMount:*- seccompProfile:*SeccompProfile
  appArmorProfile:*AppArmorProfile
ServiceAccountTokenProjection audience:- expirationSeconds:*- path:-
SleepAction seconds:-
StorageOSVolumeSource volumeName:- volumeNamespace:- fsType:- readOnly:- secretRef:*LocalObjectReference
Sysctl name:- value:-
TCPSocketAction port:i host:-
Toleration key:- operator:- value:- effect:- tolerationSeconds:*-
TopologySpreadConstraint maxSkew:- topologyKey:- whenUnsatisfiable:- labelSelector:*LabelSelector
  minDomains:*- nodeAffinityPolicy:*- nodeTaintsPolicy:*- matchLabelKeys:[]-
TypedLocalObjectReference apiGroup:*- kind:- name:-
TypedObjectReference apiGroup:*- kind:- name:- namespace:*-
VolumeDevice name:- devicePath:-
VolumeMount name:- readOnly:- recursiveReadOnly:*- mountPath:- subPath:- mountPropagation:*-
  subPathExpr:-
VolumeProjection secret:*SecretProjection downwardAPI:*DownwardAPIProjection
  configMap:*ConfigMapProjection serviceAccountToken:*ServiceAccountTokenProjection
  clusterTrustBundle:*ClusterTrustBundleProjection podCertificate:*PodCertificateProjection
VolumeResourceRequirements limits:{}q requests:{}q
VsphereVirtualDiskVolumeSource volumePath:- fsType:- storagePolicyName:- storagePolicyID:-
WeightedPodAffinityTerm weight:- podAffinityTerm:PodAffinityTerm
WindowsSecurityContextOptions gmsaCredentialSpecName:*- gmsaCredentialSpec:*- runAsUserName:*-
  hostProcess:*-
`;

const GO_TYPES: ReadonlyMap<string, ReadonlyMap<string, string>> = (() => {
  const types = new Map<string, Map<string, string>>();
  let current: Map<string, string> | undefined;
  for (const token of GO_SCHEMA.split(/\s+/)) {
    if (token === '') continue;
    const colon = token.indexOf(':');
    if (colon < 0) types.set(token, (current = new Map<string, string>()));
    else current?.set(token.slice(0, colon), token.slice(colon + 1));
  }
  return types;
})();

/** The schema above as the oracle's podTemplateSchema answers it: type → "field:kind ..." in field order. */
export function podTemplateSchema(): Record<string, string> {
  return Object.fromEntries(
    [...GO_TYPES].map(([name, fields]) => [name, [...fields].map(([f, k]) => `${f}:${k}`).join(' ')]),
  );
}

const VOLUME_SOURCES = [...(GO_TYPES.get('Volume')?.keys() ?? [])].filter((field) => field !== 'name');
const CONTAINER_LISTS = ['initContainers', 'containers', 'ephemeralContainers'];
const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'];
/** 0644, the mode of configMap, secret, downwardAPI and projected volumes' files. */
const DEFAULT_FILE_MODE = 0o644;

/** Go's nil pointer (or absent field). */
const unset = (value: unknown): boolean => value === undefined || value === null;
/** Go's zero value of a non-pointer scalar, as a defaulter's `== ""` or `== 0` sees it. */
const zero = (value: unknown): boolean => unset(value) || value === '' || value === 0 || value === false;

function defaultScalar(object: JsonObject, field: string, value: unknown): void {
  if (zero(object[field])) object[field] = value;
}

function defaultPointer(object: JsonObject, field: string, value: unknown): void {
  if (unset(object[field])) object[field] = value;
}

/** A struct field's value, when there is one to default inside. */
function inside(object: JsonObject | undefined, field: string): JsonObject | undefined {
  const value = object?.[field];
  return isObject(value) ? value : undefined;
}

/** A non-pointer struct field, which Go always has: made when absent, as its defaults then show. */
function struct(object: JsonObject, field: string): JsonObject {
  if (unset(object[field])) object[field] = {};
  return inside(object, field) ?? {};
}

/** A slice of structs' elements; a null element is Go's zero struct, defaulted like any other. */
function elements(object: JsonObject | undefined, field: string): JsonObject[] {
  const list = object?.[field];
  if (!Array.isArray(list)) return [];
  list.forEach((item, index) => {
    if (item === null) list[index] = {};
  });
  return list.filter(isObject);
}

/** SetDefaults_ResourceList: every quantity rounded up to a milli-unit (written as Go writes it). */
function roundUpResourceList(object: JsonObject | undefined, field: string): void {
  const list = inside(object, field);
  if (list === undefined) return;
  for (const [name, value] of Object.entries(list)) {
    const quantity = quantityFromJson(value);
    if (quantity === undefined) continue;
    const rounded = roundUpQuantity(quantity, -3);
    if (rounded !== quantity) list[name] = formatQuantity(rounded);
  }
}

function defaultHttpGet(action: JsonObject | undefined): void {
  if (action === undefined) return;
  defaultScalar(action, 'path', '/');
  defaultScalar(action, 'scheme', 'HTTP');
}

function defaultFieldRef(holder: JsonObject): void {
  const fieldRef = inside(holder, 'fieldRef');
  if (fieldRef) defaultScalar(fieldRef, 'apiVersion', 'v1');
}

/** SetDefaults_Container and the generated per-field defaults of a container (init and ephemeral alike). */
function defaultContainer(container: JsonObject): void {
  if (zero(container.imagePullPolicy))
    container.imagePullPolicy = imageTag(container.image) === 'latest' ? 'Always' : 'IfNotPresent';
  defaultScalar(container, 'terminationMessagePath', '/dev/termination-log');
  defaultScalar(container, 'terminationMessagePolicy', 'File');
  for (const port of elements(container, 'ports')) defaultScalar(port, 'protocol', 'TCP');
  for (const env of elements(container, 'env')) {
    const valueFrom = inside(env, 'valueFrom');
    if (valueFrom === undefined) continue;
    defaultFieldRef(valueFrom);
    const fileKeyRef = inside(valueFrom, 'fileKeyRef');
    if (fileKeyRef) defaultPointer(fileKeyRef, 'optional', false);
  }
  const resources = inside(container, 'resources');
  roundUpResourceList(resources, 'limits');
  roundUpResourceList(resources, 'requests');
  for (const field of PROBES) {
    const probe = inside(container, field);
    if (probe === undefined) continue;
    defaultScalar(probe, 'timeoutSeconds', 1);
    defaultScalar(probe, 'periodSeconds', 10);
    defaultScalar(probe, 'successThreshold', 1);
    defaultScalar(probe, 'failureThreshold', 3);
    defaultHttpGet(inside(probe, 'httpGet'));
    const grpc = inside(probe, 'grpc');
    if (grpc) defaultPointer(grpc, 'service', '');
  }
  const lifecycle = inside(container, 'lifecycle');
  defaultHttpGet(inside(inside(lifecycle, 'postStart'), 'httpGet'));
  defaultHttpGet(inside(inside(lifecycle, 'preStop'), 'httpGet'));
}

/** SetDefaults_Volume and the defaults of each volume source. */
function defaultVolume(volume: JsonObject): void {
  if (VOLUME_SOURCES.every((source) => unset(volume[source]))) volume.emptyDir = {};
  const hostPath = inside(volume, 'hostPath');
  if (hostPath) defaultPointer(hostPath, 'type', ''); // HostPathUnset: a pointer to ""
  const secret = inside(volume, 'secret');
  if (secret) defaultPointer(secret, 'defaultMode', DEFAULT_FILE_MODE);
  const iscsi = inside(volume, 'iscsi');
  if (iscsi) defaultScalar(iscsi, 'iscsiInterface', 'default');
  const rbd = inside(volume, 'rbd');
  if (rbd) {
    defaultScalar(rbd, 'pool', 'rbd');
    defaultScalar(rbd, 'user', 'admin');
    defaultScalar(rbd, 'keyring', '/etc/ceph/keyring');
  }
  const downwardAPI = inside(volume, 'downwardAPI');
  if (downwardAPI) {
    defaultPointer(downwardAPI, 'defaultMode', DEFAULT_FILE_MODE);
    elements(downwardAPI, 'items').forEach(defaultFieldRef);
  }
  const configMap = inside(volume, 'configMap');
  if (configMap) defaultPointer(configMap, 'defaultMode', DEFAULT_FILE_MODE);
  const azureDisk = inside(volume, 'azureDisk');
  if (azureDisk) {
    defaultPointer(azureDisk, 'cachingMode', 'ReadWrite');
    defaultPointer(azureDisk, 'fsType', 'ext4');
    defaultPointer(azureDisk, 'readOnly', false);
    defaultPointer(azureDisk, 'kind', 'Shared');
  }
  const projected = inside(volume, 'projected');
  if (projected) {
    defaultPointer(projected, 'defaultMode', DEFAULT_FILE_MODE);
    for (const source of elements(projected, 'sources')) {
      elements(inside(source, 'downwardAPI'), 'items').forEach(defaultFieldRef);
      const token = inside(source, 'serviceAccountToken');
      if (token) defaultPointer(token, 'expirationSeconds', 3600);
    }
  }
  const scaleIO = inside(volume, 'scaleIO');
  if (scaleIO) {
    defaultScalar(scaleIO, 'storageMode', 'ThinProvisioned');
    defaultScalar(scaleIO, 'fsType', 'xfs');
  }
  const claimTemplate = inside(inside(volume, 'ephemeral'), 'volumeClaimTemplate');
  if (claimTemplate) {
    const claimSpec = struct(claimTemplate, 'spec');
    defaultPointer(claimSpec, 'volumeMode', 'Filesystem');
    const resources = inside(claimSpec, 'resources');
    roundUpResourceList(resources, 'limits');
    roundUpResourceList(resources, 'requests');
  }
}

/**
 * The template after Kubernetes v1.34.5's SetObjectDefaults_PodTemplate (what Argo applies to the
 * desired side), on the JSON shape; the input is not changed.
 */
export function withPodTemplateDefaults(template: PodTemplate): PodTemplate {
  const copy = JSON.parse(JSON.stringify(template)) as JsonObject;
  const spec = struct(copy, 'spec');
  defaultScalar(spec, 'dnsPolicy', 'ClusterFirst');
  defaultScalar(spec, 'restartPolicy', 'Always');
  defaultPointer(spec, 'securityContext', {});
  defaultPointer(spec, 'terminationGracePeriodSeconds', 30);
  defaultScalar(spec, 'schedulerName', 'default-scheduler');
  elements(spec, 'volumes').forEach(defaultVolume);
  for (const list of CONTAINER_LISTS) elements(spec, list).forEach(defaultContainer);
  roundUpResourceList(spec, 'overhead');
  const podResources = inside(spec, 'resources');
  roundUpResourceList(podResources, 'limits');
  roundUpResourceList(podResources, 'requests');
  return copy as unknown as PodTemplate;
}

// distribution/reference v0.6.0's grammar (ParseNormalizedNamed), for the one question SetDefaults_Container
// asks of an image: is its tag "latest" (none, without a digest, counts as latest; unparsable as no tag).
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN_AND_PORT = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[(?:[a-fA-F0-9:]+)\\])(?::[0-9]+)?`;
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
const REMOTE_NAME = `${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const REFERENCE = new RegExp(
  `^((?:${DOMAIN_AND_PORT}/)?${REMOTE_NAME})(?::([\\w][\\w.-]{0,127}))?` +
    '(?:@([A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9A-Fa-f]{32,}))?$',
);
const ANCHORED_NAME = new RegExp(`^(?:(${DOMAIN_AND_PORT})/)?(${REMOTE_NAME})$`);
/** The digests go-digest accepts with the hashes Kubernetes' image parser links. */
const DIGEST = /^(?:sha256:[a-f0-9]{64}|sha384:[a-f0-9]{96}|sha512:[a-f0-9]{128})$/;

function splitDockerDomain(name: string): [string, string] {
  const slash = name.indexOf('/');
  if (slash < 0) return ['docker.io', `library/${name}`];
  const maybeDomain = name.slice(0, slash);
  let [domain, remote] = [maybeDomain, name.slice(slash + 1)];
  if (maybeDomain === 'index.docker.io') domain = 'docker.io';
  else if (
    maybeDomain !== 'localhost' &&
    !/[.:]/.test(maybeDomain) &&
    maybeDomain.toLowerCase() === maybeDomain
  )
    [domain, remote] = ['docker.io', name];
  if (domain === 'docker.io' && !remote.includes('/')) remote = `library/${remote}`;
  return [domain, remote];
}

/** parsers.ParseImageName's tag: "latest" when neither tag nor digest is given, "" when it does not parse. */
function imageTag(image: unknown): string {
  const text = typeof image === 'string' ? image : '';
  if (/^[a-f0-9]{64}$/.test(text)) return '';
  const [domain, remainder] = splitDockerDomain(text);
  const tagAt = remainder.indexOf(':');
  const repository = tagAt < 0 ? remainder : remainder.slice(0, tagAt);
  if (repository.toLowerCase() !== repository) return '';
  const match = REFERENCE.exec(`${domain}/${remainder}`);
  if (match === null) return '';
  const [, name = '', tag = '', digest = ''] = match;
  const path = ANCHORED_NAME.exec(name)?.[2] ?? name;
  if (path.length > 255 || (digest !== '' && !DIGEST.test(digest))) return '';
  return tag === '' && digest === '' ? 'latest' : tag;
}

const ZERO_QUANTITY = '0e0';
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?(?:Z|([+-])(\d{2}):(\d{2}))$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

/**
 * A metav1.Time as Semantic compares it (the instant, to the nanosecond: a.UTC() == b.UTC()), or the
 * text itself where time.Parse(RFC3339) would refuse it.
 */
function timeKey(value: unknown): unknown {
  const match = typeof value === 'string' ? RFC3339.exec(value) : null;
  if (match === null) return value;
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0] = match.slice(1, 7).map(Number);
  const [, , , , , , , fraction = '', sign, offsetHours = '0', offsetMinutes = '0'] = match;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const monthDays = month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
  const valid =
    day >= 1 && day <= monthDays && hour < 24 && minute < 60 && second < 60 && Number(offsetHours) < 24;
  if (!valid || Number(offsetMinutes) >= 60) return value;
  const offset = (sign === '-' ? -1 : 1) * (Number(offsetHours) * 3600 + Number(offsetMinutes) * 60);
  const seconds = daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offset;
  return `${seconds}.${fraction.slice(0, 9).padEnd(9, '0')}`;
}

const ZERO_TIME = timeKey('0001-01-01T00:00:00Z');

/** A present (non-null) value of `kind` as Semantic compares it, zero values included. */
function semanticValue(value: unknown, kind: string): unknown {
  if (kind.startsWith('*')) return semanticValue(value, kind.slice(1));
  if (kind.startsWith('[]') || kind.startsWith('{}')) return semanticField(value, kind);
  switch (kind) {
    case '-':
    case 'i':
    case 'raw':
      return value;
    case 'q': {
      const quantity = quantityFromJson(value);
      return quantity === undefined ? value : quantityKey(quantity);
    }
    case 't':
      return timeKey(value);
    default:
      return isObject(value) ? semanticStruct(value, kind) : value;
  }
}

/** A slice's element or a map's value: always there, so a null is the kind's zero value. */
function semanticElement(value: unknown, kind: string): unknown {
  if (value !== null && value !== undefined) return semanticValue(value, kind);
  if (kind === 'q') return ZERO_QUANTITY;
  return GO_TYPES.has(kind) ? {} : null;
}

function isGoZero(form: unknown, kind: string): boolean {
  switch (kind) {
    case '-':
      return form === '' || form === 0 || form === false;
    case 'i':
      return form === 0; // IntOrString{} is the int 0; "" is a string, not zero
    case 'q':
      return form === ZERO_QUANTITY;
    case 't':
      return form === ZERO_TIME;
    case 'raw':
      return false;
    default:
      return isObject(form) && Object.keys(form).length === 0;
  }
}

/** A field of `kind` as Semantic compares it; undefined where it equals the field being absent. */
function semanticField(value: unknown, kind: string): unknown {
  if (value === undefined || value === null) return undefined;
  if (kind.startsWith('*')) return semanticValue(value, kind.slice(1));
  const collection = kind.startsWith('[]') ? 'slice' : kind.startsWith('{}') ? 'map' : undefined;
  if (collection === 'slice' && Array.isArray(value))
    return value.length === 0
      ? undefined
      : value.map((item: unknown) => semanticElement(item, kind.slice(2)));
  if (collection === 'map' && isObject(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0) return undefined;
    return Object.fromEntries(entries.map(([key, item]) => [key, semanticElement(item, kind.slice(2))]));
  }
  if (collection !== undefined) return value; // not what Go decodes: kept, so it equals nothing valid
  const form = semanticValue(value, kind);
  return isGoZero(form, kind) ? undefined : form;
}

function semanticStruct(object: JsonObject, typeName: string): JsonObject {
  const fields = GO_TYPES.get(typeName);
  const out: JsonObject = {};
  for (const [field, value] of Object.entries(object)) {
    const kind = fields?.get(field);
    // A field v1.34.5 does not have (a newer API's) is kept as written: Argo's typed client would not
    // see it, but our ReplicaSets carry it, so a change in it is a change of pods.
    const form =
      kind !== undefined
        ? semanticField(value, kind)
        : value === null || (Array.isArray(value) && value.length === 0)
          ? undefined
          : value;
    if (form !== undefined) out[field] = form;
  }
  return out;
}

/**
 * The template as apiequality.Semantic.DeepEqual sees it: absent, null, Go's zero value of a non-pointer
 * field, and empty slices and maps all left out; quantities by exact value; timestamps by instant.
 * Nothing is defaulted or dropped.
 */
export function semanticPodTemplate(template: PodTemplate): JsonObject {
  return semanticStruct(template as unknown as JsonObject, 'PodTemplateSpec');
}

/** The template's identity under Argo's rule, as canonical JSON (`defaulted`: Argo's desired side). */
function identity(template: PodTemplate, defaulted: boolean): string {
  const labels: Record<string, string> = { ...(template.metadata?.labels ?? {}) };
  delete labels[POD_TEMPLATE_HASH_LABEL];
  const spec: JsonObject = { ...(template.spec ?? {}) };
  delete spec.serviceAccount;
  const stripped = { ...template, metadata: { ...(template.metadata ?? {}), labels }, spec } as PodTemplate;
  return canonicalJson(semanticPodTemplate(defaulted ? withPodTemplateDefaults(stripped) : stripped));
}

/**
 * Argo's PodTemplateEqualIgnoreHash(live, desired): `live` (a ReplicaSet's template, as the API server
 * stored it) is taken as it is, only `desired` is defaulted.
 */
export function samePodTemplate(live: PodTemplate, desired: PodTemplate): boolean {
  return identity(live, false) === identity(desired, true);
}

/**
 * A digest of the template's pods under Argo's rule: equal for a template and any ReplicaSet's
 * template (server-defaulted) that samePodTemplate finds the same. 64-bit FNV-1a, 16 hex digits.
 */
export function podTemplateDigest(template: PodTemplate): string {
  return fnv1a64(identity(template, true));
}

/** 64-bit FNV-1a of the text's UTF-8 bytes, as 16 hex digits (four 16-bit limbs: no BigInt per byte). */
export function fnv1a64(text: string): string {
  // offset basis 0xcbf29ce484222325, least significant limb first
  let h0 = 0x2325;
  let h1 = 0x8422;
  let h2 = 0x9ce4;
  let h3 = 0xcbf2;
  const step = (byte: number): void => {
    h0 ^= byte;
    // × 0x100000001b3 (2^40 + 0x1b3), modulo 2^64
    const t0 = h0 * 0x1b3;
    const t1 = h1 * 0x1b3 + (t0 >>> 16);
    const t2 = h2 * 0x1b3 + (h0 << 8) + (t1 >>> 16);
    const t3 = h3 * 0x1b3 + (h1 << 8) + (t2 >>> 16);
    h0 = t0 & 0xffff;
    h1 = t1 & 0xffff;
    h2 = t2 & 0xffff;
    h3 = t3 & 0xffff;
  };
  for (let i = 0; i < text.length; i++) {
    let cp = text.charCodeAt(i);
    const low = text.charCodeAt(i + 1);
    if (cp >= 0xd800 && cp < 0xdc00 && low >= 0xdc00 && low < 0xe000) {
      cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
      i++;
    }
    if (cp < 0x80) step(cp);
    else if (cp < 0x800) {
      step(0xc0 | (cp >> 6));
      step(0x80 | (cp & 63));
    } else if (cp < 0x10000) {
      step(0xe0 | (cp >> 12));
      step(0x80 | ((cp >> 6) & 63));
      step(0x80 | (cp & 63));
    } else {
      step(0xf0 | (cp >> 18));
      step(0x80 | ((cp >> 12) & 63));
      step(0x80 | ((cp >> 6) & 63));
      step(0x80 | (cp & 63));
    }
  }
  return [h3, h2, h1, h0].map((limb) => limb.toString(16).padStart(4, '0')).join('');
}
