// Argo's controller_clientset_k8s_request_total for the activities' Kubernetes requests. Every API
// client of client-node 1.4.0 is made by KubeConfig.makeApiClient, so a KubeConfig that makes them
// over a counting HTTP library sees each request and its status code. The labels are Argo's
// (github.com/argoproj/pkg kubeclientmetrics and IncKubernetesRequest), read from the request's path.
import {
  createConfiguration,
  IsomorphicFetchHttpLibrary,
  ServerConfiguration,
  wrapHttpLibrary,
  type ApiConstructor,
  type ApiType,
  type RequestContext,
} from '@kubernetes/client-node';
import { PooledKubeConfig } from '../../activities/pooled-kube-config.js';

export interface KubeRequestLabels {
  kind: string;
  namespace: string;
  name: string;
  verb: string;
  status_code: string;
  [label: string]: string;
}

export interface KubeRequest {
  method: string;
  url: string;
  /** The request body as sent (JSON text for a create). */
  body?: unknown;
}

// /api/v1 or /apis/<group>/<version>, then [namespaces/<ns>/]<resource>[/<name>[/<subresource>]].
const PATH =
  /^\/(?:api\/[^/]+|apis\/[^/]+\/[^/]+)(?:\/namespaces\/([^/]+))?\/([^/]+)(?:\/([^/]+))?(?:\/([^/]+))?$/;

const VERBS: Record<string, string> = {
  GET: 'Get',
  POST: 'Create',
  PUT: 'Update',
  PATCH: 'Patch',
  DELETE: 'Delete',
};

function metadataOf(body: unknown): { name?: unknown; namespace?: unknown } {
  try {
    const parsed: unknown = typeof body === 'string' ? JSON.parse(body) : body;
    const metadata = (parsed as { metadata?: unknown } | null)?.metadata;
    return typeof metadata === 'object' && metadata !== null ? metadata : {};
  } catch {
    return {};
  }
}

/**
 * One request's labels, as Argo's: kind is the resource (a subresource such as /status counts against
 * its object, where Argo's parser takes the object's name for the kind), a create's name and namespace
 * from its body (an eviction's kind is `eviction`); name N/A for a List and for events and replicasets;
 * Unknown for what is no resource request (discovery); status_code 0 when no answer came.
 */
export function kubeRequestLabels(request: KubeRequest, statusCode: number): KubeRequestLabels {
  const url = new URL(request.url, 'http://localhost');
  const match = PATH.exec(url.pathname);
  const method = request.method.toUpperCase();
  const status_code = String(statusCode);
  const [, namespace = '', resource = '', name = '', subresource] = match ?? [];
  let verb = VERBS[method] ?? 'Unknown';
  if (!match || verb === 'Unknown')
    return { kind: 'Unknown', namespace: 'Unknown', name: 'Unknown', verb, status_code };
  if (verb === 'Get' && !name) verb = url.searchParams.get('watch') === 'true' ? 'Watch' : 'List';
  let labels: KubeRequestLabels;
  if (verb === 'Create') {
    const metadata = metadataOf(request.body);
    labels = {
      kind: subresource ?? (name || resource),
      namespace: typeof metadata.namespace === 'string' ? metadata.namespace : namespace,
      name: typeof metadata.name === 'string' ? metadata.name : '',
      verb,
      status_code,
    };
  } else if (verb === 'Watch') {
    const selector = url.searchParams.get('fieldSelector') ?? '';
    const named = /(?:^|,)metadata\.name=([^,]*)/.exec(selector)?.[1] ?? '';
    labels = { kind: resource, namespace, name: named, verb, status_code };
  } else labels = { kind: resource, namespace, name, verb, status_code };
  if (verb === 'List' || labels.kind === 'events' || labels.kind === 'replicasets') labels.name = 'N/A';
  return labels;
}

/** A KubeConfig whose API clients report each request (and its status code, 0 when none came). */
export class CountingKubeConfig extends PooledKubeConfig {
  constructor(private readonly count: (labels: KubeRequestLabels) => void) {
    super();
  }

  // client-node 1.4.0's makeApiClient, over a counting HTTP library.
  override makeApiClient<T extends ApiType>(apiClientType: ApiConstructor<T>): T {
    const cluster = this.getCurrentCluster();
    if (!cluster) throw new Error('No active cluster!');
    const http = new IsomorphicFetchHttpLibrary();
    const counted = (request: RequestContext, status: number) => {
      const described = { method: request.getHttpMethod(), url: request.getUrl(), body: request.getBody() };
      this.count(kubeRequestLabels(described, status));
    };
    const httpApi = wrapHttpLibrary({
      send: async (request) => {
        try {
          const response = await http.send(request).toPromise();
          counted(request, response.httpStatusCode);
          return response;
        } catch (err) {
          counted(request, 0);
          throw err;
        }
      },
    });
    return new apiClientType(
      createConfiguration({
        baseServer: new ServerConfiguration(cluster.server, {}),
        authMethods: { default: this },
        httpApi,
      }),
    );
  }
}
