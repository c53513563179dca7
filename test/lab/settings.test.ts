// The lab's settings: ports from LAB_*_PORT, what the lab last ran on, or defaults; a running component
// keeps its ports; LAB_COMPONENTS.
import { describe, expect, it } from '@jest/globals';
import {
  COMPONENTS,
  labUrls,
  LabConfigError,
  parseComponents,
  parsePort,
  resolvePorts,
} from '../../lab/stack/settings.js';

const defaults = {
  temporal: 7233,
  temporalUi: 8233,
  etcd: 2379,
  etcdPeer: 2380,
  kube: 6443,
  mesh: 8090,
  prometheus: 9090,
  workerMetrics: 9464,
};

describe('parsePort', () => {
  it.each([
    ['7233', 7233],
    [' 1 ', 1],
    ['65535', 65535],
  ])('%j is port %d', (text, port) => expect(parsePort(text, 'LAB_TEMPORAL_PORT')).toBe(port));

  it.each(['0', '65536', '-1', '72.33', 'abc', '', '0x10', '1e3'])(
    '%j is refused, naming the variable',
    (text) => {
      expect(() => parsePort(text, 'LAB_MESH_PORT')).toThrow(
        new LabConfigError(`LAB_MESH_PORT=${text}: not a port number (1-65535)`),
      );
    },
  );
});

describe('resolvePorts', () => {
  it('uses the defaults when nothing is set', () => {
    expect(resolvePorts({})).toEqual({ ports: defaults, notes: [] });
  });

  it('takes LAB_*_PORT variables; the etcd peer port follows the etcd port', () => {
    const { ports } = resolvePorts({
      LAB_TEMPORAL_PORT: '17233',
      LAB_TEMPORAL_UI_PORT: '18233',
      LAB_ETCD_PORT: '12379',
      LAB_KUBE_PORT: '16443',
      LAB_MESH_PORT: '18090',
      LAB_PROMETHEUS_PORT: '19090',
    });
    expect(ports).toEqual({
      temporal: 17233,
      temporalUi: 18233,
      etcd: 12379,
      etcdPeer: 12380,
      kube: 16443,
      mesh: 18090,
      prometheus: 19090,
      workerMetrics: 9464,
    });
    expect(resolvePorts({ LAB_ETCD_PORT: '12379', LAB_ETCD_PEER_PORT: '13000' }).ports.etcdPeer).toBe(13000);
  });

  it('an empty variable counts as unset', () => {
    expect(resolvePorts({ LAB_MESH_PORT: '' }).ports.mesh).toBe(8090);
  });

  it('a stopped lab restarts on its last ports unless a variable says otherwise', () => {
    const saved = { ...defaults, mesh: 18090, prometheus: 19090 };
    expect(resolvePorts({ LAB_PROMETHEUS_PORT: '29090' }, saved).ports).toEqual({
      ...defaults,
      mesh: 18090,
      prometheus: 29090,
    });
  });

  it('a running component keeps its ports and says that a different setting waits for lab down', () => {
    const saved = { ...defaults, temporal: 17233 };
    const resolved = resolvePorts(
      { LAB_TEMPORAL_PORT: '27233', LAB_MESH_PORT: '28090' },
      saved,
      new Set(['temporal'] as const),
    );
    expect(resolved.ports).toEqual({ ...defaults, temporal: 17233, mesh: 28090 });
    expect(resolved.notes).toEqual([
      'LAB_TEMPORAL_PORT=27233 ignored: temporal already runs with Temporal gRPC on 17233 (lab down first)',
    ]);
  });

  it('refuses one port for two roles', () => {
    expect(() => resolvePorts({ LAB_MESH_PORT: '9090' })).toThrow(
      new LabConfigError(
        'LAB_MESH_PORT and LAB_PROMETHEUS_PORT are both 9090: mesh simulator and Prometheus need ports of their own',
      ),
    );
    expect(() => resolvePorts({ LAB_ETCD_PORT: '6442' })).toThrow(
      /LAB_ETCD_PEER_PORT and LAB_KUBE_PORT are both 6443/,
    );
  });

  it('names a bad variable', () => {
    expect(() => resolvePorts({ LAB_KUBE_PORT: 'six' })).toThrow(
      'LAB_KUBE_PORT=six: not a port number (1-65535)',
    );
  });
});

describe('parseComponents', () => {
  it('is every component, in start order, by default', () => {
    expect(parseComponents(undefined)).toEqual(['temporal', 'kube', 'mesh', 'prometheus', 'worker']);
    expect(parseComponents(' ')).toEqual([...COMPONENTS]);
  });

  it('keeps start order whatever order the list has', () => {
    expect(parseComponents('worker, temporal,kube')).toEqual(['temporal', 'kube', 'worker']);
  });

  it('names an unknown component', () => {
    expect(() => parseComponents('temporal,meshsim')).toThrow(
      new LabConfigError(
        'LAB_COMPONENTS=temporal,meshsim: unknown component "meshsim" (known: temporal, kube, mesh, prometheus, worker)',
      ),
    );
  });
});

describe('labUrls', () => {
  it('puts everything on 127.0.0.1', () => {
    expect(labUrls({ ...defaults, mesh: 18090 })).toEqual({
      temporalAddress: '127.0.0.1:7233',
      temporalUi: 'http://127.0.0.1:8233',
      kube: 'https://127.0.0.1:6443',
      mesh: 'http://127.0.0.1:18090',
      prometheus: 'http://127.0.0.1:9090',
      workerMetrics: 'http://127.0.0.1:9464/metrics',
    });
  });
});
