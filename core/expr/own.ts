// Table look-ups by a name from the condition's text: only the table's own entries, so a name like
// "toString" or "constructor" can never reach what every JavaScript object inherits.

export function own<T>(table: Readonly<Record<string, T>>, name: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(table, name) ? table[name] : undefined;
}
