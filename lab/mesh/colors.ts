// The colour of an image on the page, from its tag as in Argo's rollouts-demo (`argoproj/rollouts-demo:blue`,
// `:bad-red`, `:slow-yellow`): the first colour name found in the tag; any other tag gets a colour of the
// fallback palette chosen by a hash of the whole image, so it keeps it from one page load to the next.
export interface ImageColor {
  /** A colour name (`blue`), or `other-N` for a fallback colour. */
  name: string;
  /** CSS colour. */
  css: string;
}

const NAMED: Record<string, string> = {
  blue: '#3b82f6',
  yellow: '#facc15',
  green: '#22c55e',
  purple: '#a855f7',
  red: '#ef4444',
  orange: '#f97316',
  pink: '#ec4899',
  cyan: '#06b6d4',
  white: '#f1f5f9',
  gray: '#94a3b8',
  grey: '#94a3b8',
};

const FALLBACK = ['#14b8a6', '#eab308', '#8b5cf6', '#f43f5e', '#84cc16', '#0ea5e9', '#d946ef', '#78716c'];

/** The tag of an image reference: after the last `:` that follows the last `/`; `latest` when none. */
export function imageTag(image: string): string {
  const withoutDigest = image.split('@')[0] ?? image;
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.indexOf(':', lastSlash + 1);
  return colon < 0 ? 'latest' : withoutDigest.slice(colon + 1);
}

export function imageColor(image: string): ImageColor {
  const words = imageTag(image)
    .toLowerCase()
    .split(/[^a-z]+/);
  for (const word of words) {
    const css = NAMED[word];
    if (css) return { name: word === 'grey' ? 'gray' : word, css };
  }
  let hash = 0;
  for (const char of image) hash = (Math.imul(hash, 31) + (char.codePointAt(0) ?? 0)) >>> 0;
  const index = hash % FALLBACK.length;
  return { name: `other-${index}`, css: FALLBACK[index] ?? '#78716c' };
}
