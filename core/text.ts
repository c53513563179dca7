// Text for one-line messages: a value the user sent or a provider returned can be megabytes long.

/** Cuts `text` to at most `max` characters, ending with "…" when it was cut. */
export function shorten(text: string, max = 60): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
