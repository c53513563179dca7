// The dryRun and measurementRetention rules of an AnalysisTemplate's spec or a Rollout's analysis: lists
// of {metricName} and {metricName, limit}, a metricName matched against the run's metric names as a Go
// regular expression, as Argo's analysis controller does (core/analysis/flatten.ts).

import { Issues, type FieldPath } from './errors.js';
import { checkKnownFields, readInteger, readList, readMap, readString, type JsonMap } from './fields.js';

const METRIC_NAME_EXPECTED = 'a metric name or a regular expression matching some (such as ".*")';

export function validateAnalysisRules(issues: Issues, map: JsonMap, path: FieldPath): void {
  const dryRun = readList(issues, map.dryRun, [...path, 'dryRun'], 'a list of {metricName}');
  dryRun?.forEach((entry, index) => {
    const at = [...path, 'dryRun', index];
    const item = readMap(issues, entry, at, 'a map with metricName', { required: true });
    if (item === undefined) return;
    checkKnownFields(issues, item, at, ['metricName']);
    readString(issues, item.metricName, [...at, 'metricName'], METRIC_NAME_EXPECTED, {
      required: true,
      nonEmpty: true,
    });
  });

  const retention = readList(
    issues,
    map.measurementRetention,
    [...path, 'measurementRetention'],
    'a list of {metricName, limit}',
  );
  retention?.forEach((entry, index) => {
    const at = [...path, 'measurementRetention', index];
    const item = readMap(issues, entry, at, 'a map with metricName and limit', { required: true });
    if (item === undefined) return;
    checkKnownFields(issues, item, at, ['metricName', 'limit']);
    readString(issues, item.metricName, [...at, 'metricName'], METRIC_NAME_EXPECTED, {
      required: true,
      nonEmpty: true,
    });
    readInteger(issues, item.limit, [...at, 'limit'], { min: 0, required: true });
  });
}
