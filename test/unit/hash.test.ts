import { describe, expect, it } from '@jest/globals';
import { canonicalJson, fnv1a32, podTemplateHash, safeEncode } from '../../core/hash.js';
import type { PodTemplate } from '../../core/types.js';

const template = (image: string, extra: Record<string, unknown> = {}): PodTemplate => ({
  metadata: { labels: { app: 'myapp' } },
  spec: { containers: [{ name: 'myapp', image, ...extra }] },
});

describe('pod-template hash', () => {
  it('uses FNV-1a 32-bit (known vectors)', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });

  it('maps digits onto the safe alphabet (no vowels, no look-alikes)', () => {
    expect(safeEncode('0123456789')).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{10}$/);
    expect(podTemplateHash(template('a:1'))).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]+$/);
  });

  it('is the same for the same template whatever the key order', () => {
    const a: PodTemplate = {
      metadata: { labels: { app: 'x', tier: 'web' } },
      spec: { containers: [{ name: 'c', image: 'i', ports: [] }] },
    };
    const b: PodTemplate = {
      spec: { containers: [{ image: 'i', ports: [], name: 'c' }] },
      metadata: { labels: { tier: 'web', app: 'x' } },
    };
    expect(podTemplateHash(a)).toBe(podTemplateHash(b));
    expect(canonicalJson({ b: 1, a: [2, { d: 3, c: 4 }] })).toBe('{"a":[2,{"c":4,"d":3}],"b":1}');
  });

  it('changes with the image and with any other field', () => {
    const blue = podTemplateHash(template('argoproj/rollouts-demo:blue'));
    expect(podTemplateHash(template('argoproj/rollouts-demo:yellow'))).not.toBe(blue);
    expect(podTemplateHash(template('argoproj/rollouts-demo:blue', { args: ['-v'] }))).not.toBe(blue);
  });

  it('ignores its own label, so a template that carries it hashes the same', () => {
    const plain = template('img');
    const labelled: PodTemplate = {
      ...plain,
      metadata: { labels: { app: 'myapp', 'rollouts-pod-template-hash': 'xyz' } },
    };
    expect(podTemplateHash(labelled)).toBe(podTemplateHash(plain));
  });
});
