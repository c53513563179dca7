// The worker's request and activity metrics: Argo's controller_clientset_k8s_request_total labels from
// a request (worker/metrics/kube-requests.ts), a KubeConfig whose clients count against a local HTTP
// server, the activity interceptor's failure kinds and Events, and WORKER_METRICS_PORT.
import { describe, expect, it } from '@jest/globals';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { Kube } from '../../activities/kube.js';
import { permanentFailure, transientFailure } from '../../activities/errors.js';
import { PermanentFailureType } from '../../core/failures.js';
import { failureKind, recordedEvents } from '../../worker/metrics/activity-interceptor.js';
import { kubeRequestLabels, type KubeRequestLabels } from '../../worker/metrics/kube-requests.js';
import { workerMetricsParts } from '../../worker/metrics/index.js';
import { metricsSettingsFromEnv } from '../../worker/metrics/settings.js';
import { LocalHttpServer } from '../support/local-http.js';

const API = 'https://127.0.0.1:6443';

describe('controller_clientset_k8s_request_total labels', () => {
  it.each<[string, string, unknown, Omit<KubeRequestLabels, 'status_code'>]>([
    [
      'GET',
      '/apis/apps/v1/namespaces/demo/replicasets/myapp-abc',
      undefined,
      { kind: 'replicasets', namespace: 'demo', name: 'N/A', verb: 'Get' },
    ],
    [
      'GET',
      '/api/v1/namespaces/demo/services/myapp-canary',
      undefined,
      { kind: 'services', namespace: 'demo', name: 'myapp-canary', verb: 'Get' },
    ],
    [
      'GET',
      '/api/v1/namespaces/demo/pods?labelSelector=app%3Dmyapp',
      undefined,
      { kind: 'pods', namespace: 'demo', name: 'N/A', verb: 'List' },
    ],
    [
      'GET',
      '/apis/argoproj.io/v1alpha1/rollouts?watch=true&fieldSelector=metadata.name%3Dmyapp',
      undefined,
      { kind: 'rollouts', namespace: '', name: 'myapp', verb: 'Watch' },
    ],
    [
      'PUT',
      '/apis/networking.istio.io/v1beta1/namespaces/demo/virtualservices/vs',
      '{}',
      { kind: 'virtualservices', namespace: 'demo', name: 'vs', verb: 'Update' },
    ],
    [
      'PATCH',
      '/apis/argoproj.io/v1alpha1/namespaces/demo/rollouts/myapp/status',
      '{}',
      { kind: 'rollouts', namespace: 'demo', name: 'myapp', verb: 'Patch' },
    ],
    [
      'DELETE',
      '/apis/argoproj.io/v1alpha1/namespaces/demo/analysisruns/run-1',
      undefined,
      { kind: 'analysisruns', namespace: 'demo', name: 'run-1', verb: 'Delete' },
    ],
    [
      'POST',
      '/apis/argoproj.io/v1alpha1/namespaces/demo/analysisruns',
      '{"metadata":{"name":"run-2","namespace":"demo"}}',
      { kind: 'analysisruns', namespace: 'demo', name: 'run-2', verb: 'Create' },
    ],
    [
      'POST',
      '/api/v1/namespaces/demo/events',
      '{"metadata":{"name":"myapp.1","namespace":"demo"}}',
      { kind: 'events', namespace: 'demo', name: 'N/A', verb: 'Create' },
    ],
    [
      'POST',
      '/api/v1/namespaces/demo/pods/myapp-abc-x/eviction',
      '{"metadata":{"name":"myapp-abc-x","namespace":"demo"}}',
      { kind: 'eviction', namespace: 'demo', name: 'myapp-abc-x', verb: 'Create' },
    ],
    [
      'GET',
      '/api/v1/namespaces/demo',
      undefined,
      { kind: 'namespaces', namespace: '', name: 'demo', verb: 'Get' },
    ],
    [
      'GET',
      '/apis/apps/v1',
      undefined,
      { kind: 'Unknown', namespace: 'Unknown', name: 'Unknown', verb: 'Get' },
    ],
    [
      'OPTIONS',
      '/api/v1/namespaces/demo/pods',
      undefined,
      { kind: 'Unknown', namespace: 'Unknown', name: 'Unknown', verb: 'Unknown' },
    ],
  ])('%s %s', (method, path, body, expected) => {
    expect(kubeRequestLabels({ method, url: `${API}${path}`, body }, 200)).toEqual({
      ...expected,
      status_code: '200',
    });
  });

  it('a request that got no answer has status code 0', () => {
    expect(
      kubeRequestLabels({ method: 'GET', url: `${API}/api/v1/namespaces/d/services/s` }, 0).status_code,
    ).toBe('0');
  });

  it("counts the activities' requests with their status codes, through a KubeConfig of its own", async () => {
    const server = await LocalHttpServer.start((req, res) => {
      const answer = (code: number, body: unknown) => {
        res.writeHead(code, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      // The generic object API first asks which resource a kind is (discovery).
      if (req.url === '/api/v1')
        answer(200, {
          kind: 'APIResourceList',
          groupVersion: 'v1',
          resources: [{ name: 'services', namespaced: true, kind: 'Service', verbs: ['get'] }],
        });
      else if (req.url.endsWith('/services/web'))
        answer(200, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'demo' } });
      else answer(404, { kind: 'Status', code: 404, message: 'not found' });
    });
    try {
      const parts = workerMetricsParts();
      const config = parts.kubeConfig();
      config.loadFromOptions({
        clusters: [{ name: 'c', server: server.url, skipTLSVerify: true }],
        users: [{ name: 'u', token: 't' }],
        contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
        currentContext: 'x',
      });
      const kube = Kube.fromConfig(config);
      const service = { apiVersion: 'v1', kind: 'Service', namespace: 'demo' };
      await kube.read({ ...service, name: 'web' });
      await expect(kube.read({ ...service, name: 'gone' })).rejects.toThrow('Service demo/gone not found');
      const counted = (name: string, code: string) =>
        parts.metrics.kubeRequests.get({
          kind: 'services',
          namespace: 'demo',
          name,
          verb: 'Get',
          status_code: code,
        });
      expect(counted('web', '200')).toBe(1);
      expect(counted('gone', '404')).toBe(1);
      const discovery = {
        kind: 'Unknown',
        namespace: 'Unknown',
        name: 'Unknown',
        verb: 'Get',
        status_code: '200',
      };
      expect(parts.metrics.kubeRequests.get(discovery)).toBe(1); // cached after the first
    } finally {
      await server.close();
    }
  });
});

describe('the activity interceptor', () => {
  it("names each failure by activities/errors.ts' classification", () => {
    expect(failureKind(permanentFailure(PermanentFailureType.NotFound, 'x'))).toBe('NotFound');
    expect(failureKind(permanentFailure(PermanentFailureType.RouteNotFound, 'x'))).toBe('RouteNotFound');
    expect(failureKind(transientFailure('x'))).toBe('Transient');
    expect(failureKind(new CancelledFailure('cancelled'))).toBe('Cancelled');
    expect(failureKind(ApplicationFailure.create({ type: 'Whatever', message: 'x' }))).toBe('Unexpected');
    expect(failureKind(new TypeError('bug'))).toBe('Unexpected');
  });

  it('counts the Events of a status write once it is written (or found written by an earlier attempt)', () => {
    const events = [{ type: 'Normal' as const, reason: 'RolloutStepCompleted', message: 'm' }];
    const input = { namespace: 'demo', name: 'myapp', events };
    expect(recordedEvents('writeRolloutStatus', input, { written: true })).toEqual(events);
    expect(
      recordedEvents('writeRolloutStatus', input, { written: false, reason: 'already written (a retry)' }),
    ).toEqual(events);
    expect(recordedEvents('writeRolloutStatus', input, { written: false, reason: 'unchanged' })).toEqual([]);
    expect(recordedEvents('setTrafficWeight', input, { written: true })).toEqual([]);
  });
});

describe('WORKER_METRICS_PORT', () => {
  it('is off unset, empty or 0', () => {
    expect(metricsSettingsFromEnv({})).toBeUndefined();
    expect(metricsSettingsFromEnv({ WORKER_METRICS_PORT: ' ' })).toBeUndefined();
    expect(metricsSettingsFromEnv({ WORKER_METRICS_PORT: '0' })).toBeUndefined();
  });

  it('is a port on every interface, or host:port', () => {
    expect(metricsSettingsFromEnv({ WORKER_METRICS_PORT: '9464' })).toEqual({ host: '0.0.0.0', port: 9464 });
    expect(metricsSettingsFromEnv({ WORKER_METRICS_PORT: '127.0.0.1:19464' })).toEqual({
      host: '127.0.0.1',
      port: 19464,
    });
    expect(metricsSettingsFromEnv({ WORKER_METRICS_PORT: '[::1]:9464' })).toEqual({
      host: '::1',
      port: 9464,
    });
  });

  it.each(['nine', '70000', ':9464', 'host:'])('refuses %j, naming the variable', (value) => {
    expect(() => metricsSettingsFromEnv({ WORKER_METRICS_PORT: value })).toThrow(
      `WORKER_METRICS_PORT=${value}: expected a port (1-65535) or host:port, or 0 for no metrics`,
    );
  });
});
