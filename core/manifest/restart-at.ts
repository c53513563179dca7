// spec.restartAt: a metav1.Time, which Kubernetes reads as Go's time.RFC3339 (fractional seconds
// allowed), e.g. 2026-01-01T00:00:00Z. Shared by the manifest and the signalled-definition checks.
import type { FieldPath, Issues } from './errors.js';
import { isAbsent } from './fields.js';

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const EXPECTED = 'an RFC 3339 time such as 2026-01-01T00:00:00Z';

export function readRestartAt(issues: Issues, value: unknown, path: FieldPath): string | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value !== 'string') {
    issues.wrongType(path, value, EXPECTED);
    return undefined;
  }
  if (!isRfc3339(value)) {
    issues.add(path, value, EXPECTED, `"${value}" is not an RFC 3339 time, expected ${EXPECTED}`);
    return undefined;
  }
  return value;
}

function isRfc3339(value: string): boolean {
  const match = RFC3339.exec(value);
  if (!match || Number.isNaN(Date.parse(value))) return false;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  // Go refuses a day the month does not have (February 30th); Date.parse would roll it over.
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return (
    month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth && hour <= 23 && minute <= 59 && second <= 59
  );
}
