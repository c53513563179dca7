import { describe, expect, it } from '@jest/globals';
import { imageColor, imageTag } from '../../lab/mesh/colors.js';

describe('imageTag', () => {
  it.each([
    ['argoproj/rollouts-demo:blue', 'blue'],
    ['rollouts-demo:green', 'green'],
    ['registry.local:5000/team/app:v1.2', 'v1.2'],
    ['registry.local:5000/team/app', 'latest'],
    ['nginx', 'latest'],
    ['app:yellow@sha256:abc', 'yellow'],
  ])('%s → %s', (image, tag) => {
    expect(imageTag(image)).toBe(tag);
  });
});

describe('imageColor', () => {
  it('names the colour of the rollouts-demo tags', () => {
    for (const name of ['blue', 'yellow', 'green', 'purple', 'red', 'orange'])
      expect(imageColor(`argoproj/rollouts-demo:${name}`).name).toBe(name);
  });

  it('finds the colour inside a longer tag, in any case', () => {
    expect(imageColor('argoproj/rollouts-demo:bad-red').name).toBe('red');
    expect(imageColor('argoproj/rollouts-demo:slow-yellow').name).toBe('yellow');
    expect(imageColor('app:GREEN').name).toBe('green');
    expect(imageColor('app:grey').name).toBe('gray');
  });

  it('gives each colour a distinct CSS value', () => {
    const names = ['blue', 'yellow', 'green', 'purple', 'red', 'orange'];
    const css = new Set(names.map((n) => imageColor(`x:${n}`).css));
    expect(css.size).toBe(names.length);
    for (const value of css) expect(value).toMatch(/^#[0-9a-f]{6}$/);
  });

  it('gives other tags a stable fallback colour', () => {
    const a = imageColor('nginx:1.27');
    expect(a.name).toMatch(/^other-\d$/);
    expect(imageColor('nginx:1.27')).toEqual(a);
    // The colour word is looked for in the tag only, not in the repository's name.
    expect(imageColor('blue/app:v2').name).toMatch(/^other-/);
  });
});
