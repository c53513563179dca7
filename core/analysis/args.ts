// `{{args.NAME}}`: how an AnalysisTemplate refers to its args, in one place for the validator (lint
// refuses a name the template does not declare), the resolver (plain args, when a run starts) and the
// measuring activity (secret args). Argo's rule (utils/template ResolveArgs over fasttemplate): a tag
// is the text between `{{` and the next `}}`, trimmed of white space, and `args.NAME` names the arg
// NAME exactly, whatever characters it holds (`{{args.my.arg}}` is the arg "my.arg").
import { mapStrings } from '../json.js';

/** A placeholder; group 1 is the arg's name (it holds no `}}`, white space around it is not part of it). */
const PLACEHOLDER = /\{\{\s*args\.((?:(?!\}\})[\s\S])*?)\s*\}\}/g;
const WHOLE_PLACEHOLDER = new RegExp(`^${PLACEHOLDER.source}$`);

/** `{{args.NAME}}`, as a message shows a reference to NAME. */
export function placeholder(name: string): string {
  return `{{args.${name}}}`;
}

/** The placeholders in `text`, in order: each as written and the name it refers to. */
export function argReferences(text: string): { written: string; name: string }[] {
  return [...text.matchAll(PLACEHOLDER)].map((match) => ({ written: match[0], name: match[1] ?? '' }));
}

export function hasArgReference(text: string): boolean {
  return argReferences(text).length > 0;
}

/** True when `text` is exactly one placeholder (a limit or a duration an arg gives). */
export function isWholeArgReference(text: string): boolean {
  return WHOLE_PLACEHOLDER.test(text);
}

/**
 * A copy of a JSON value with every placeholder in every string replaced by `valueOf(name, written)`
 * (which returns `written` to leave one in place, or throws to refuse it).
 */
export function substituteArgs<T>(value: T, valueOf: (name: string, written: string) => string): T {
  return mapStrings(value, (text) =>
    text.replace(PLACEHOLDER, (written, name: string) => valueOf(name, written)),
  );
}
