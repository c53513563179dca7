// `rollouts get` output: a summary and a tree shaped like `kubectl argo rollouts get rollout`.
import type { RolloutListItem } from '../core/rollout-summary.js';
import type { ReplicaSetStatus, RolloutPhase, RolloutStatus } from '../core/status.js';

const PHASE_ICON: Record<RolloutPhase, string> = {
  Healthy: '✔',
  Progressing: '◌',
  Paused: '॥',
  Degraded: '✖',
};

function row(label: string, value: string): string {
  return `${`${label}:`.padEnd(17)}${value}`;
}

function replicaSetInfo(rs: ReplicaSetStatus, now: number): string {
  const parts: string[] = rs.role === 'old' ? [] : [rs.role];
  if (rs.scaleDownAt)
    parts.push(`delay:${Math.max(0, Math.round((Date.parse(rs.scaleDownAt) - now) / 1000))}s`);
  return parts.join(',');
}

function replicaSetState(rs: ReplicaSetStatus): string {
  if (rs.desiredReplicas === 0) return '• ScaledDown';
  if ((rs.availableReplicas ?? 0) >= rs.desiredReplicas) return '✔ Healthy';
  return '◌ Progressing';
}

export function renderStatus(status: RolloutStatus, now = Date.now()): string {
  const lines: string[] = [];
  lines.push(row('Name', status.name));
  lines.push(row('Namespace', status.namespace));
  lines.push(row('Status', `${PHASE_ICON[status.phase]} ${status.phase}`));
  if (status.message) lines.push(row('Message', status.message));
  lines.push(row('Strategy', 'Canary'));
  const stepCount = status.steps.length;
  if (status.currentStepIndex !== null)
    lines.push(row('  Step', `${Math.min(status.currentStepIndex, stepCount)}/${stepCount}`));
  const current = status.currentStepIndex !== null ? status.steps[status.currentStepIndex] : undefined;
  if (current) lines.push(row('  Current step', current.text));
  lines.push(
    row(
      '  ActualWeight',
      `${status.weights.canary}${status.weights.verified === false ? ' (not verified)' : ''}`,
    ),
  );
  for (const pause of status.pauseConditions)
    lines.push(
      row(
        '  Paused',
        `${pause.reason} since ${pause.startTime}${pause.until ? ` until ${pause.until}` : ''}`,
      ),
    );
  const images: string[] = [];
  if (status.stableRevision)
    images.push(...Object.values(status.stableRevision.images).map((image) => `${image} (stable)`));
  if (status.canaryRevision)
    images.push(...Object.values(status.canaryRevision.images).map((image) => `${image} (canary)`));
  images.forEach((image, i) => lines.push(i === 0 ? row('Images', image) : `${' '.repeat(17)}${image}`));
  // As Argo prints them: Desired is the spec, Current every pod asked of a ReplicaSet, Updated
  // those of the newest revision.
  const newest = status.canaryRevision ?? status.stableRevision;
  const sum = (count: (rs: ReplicaSetStatus) => number) =>
    status.replicaSets.reduce((n, rs) => n + count(rs), 0);
  lines.push('Replicas:');
  lines.push(row('  Desired', String(status.replicas)));
  lines.push(row('  Current', String(sum((rs) => rs.desiredReplicas))));
  lines.push(
    row(
      '  Updated',
      String(sum((rs) => (rs.podTemplateHash === newest?.podTemplateHash ? rs.desiredReplicas : 0))),
    ),
  );
  lines.push(row('  Available', String(sum((rs) => rs.availableReplicas ?? 0))));
  lines.push('');
  lines.push(`${'NAME'.padEnd(40)}${'KIND'.padEnd(12)}${'STATUS'.padEnd(16)}INFO`);
  lines.push(
    `⟳ ${status.name}`.padEnd(40) + 'Rollout'.padEnd(12) + `${PHASE_ICON[status.phase]} ${status.phase}`,
  );
  const byRevision = [...status.replicaSets].sort((a, b) => b.revision - a.revision);
  byRevision.forEach((rs, i) => {
    const last = i === byRevision.length - 1;
    lines.push(`${last ? '└' : '├'}──# revision:${rs.revision}`);
    const prefix = `${last ? ' ' : '│'}  └──⧉ ${rs.name}`;
    const info = replicaSetInfo(rs, now);
    lines.push(`${prefix.padEnd(40)}${'ReplicaSet'.padEnd(12)}${replicaSetState(rs).padEnd(16)}${info}`);
  });
  lines.push(...renderAnalysis(status));
  return lines.join('\n');
}

const ANALYSIS_ICON: Record<string, string> = {
  Successful: '✔',
  Running: '◌',
  Pending: '◷',
  Inconclusive: '?',
  Error: '⚠',
  Failed: '✖',
};

function showValue(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? '' : text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** Each AnalysisRun, its metrics with their counts, and the last measurements. */
function renderAnalysis(status: RolloutStatus): string[] {
  if (!status.analysisRuns.length) return [];
  const lines = ['', 'AnalysisRuns:'];
  for (const run of status.analysisRuns) {
    const where = run.kind === 'background' ? 'background' : `step ${(run.stepIndex ?? 0) + 1}`;
    lines.push(
      `  ${ANALYSIS_ICON[run.phase] ?? ''} ${run.name} (${where}, revision ${run.revision}): ${run.phase}`,
    );
    if (run.message) lines.push(`      ${run.message}`);
    for (const metric of run.live?.metrics ?? []) {
      const counts = `${metric.count} measured: ${metric.successful} ok, ${metric.failed} failed, ${metric.inconclusive} inconclusive, ${metric.error} error`;
      lines.push(
        `    ${ANALYSIS_ICON[metric.phase] ?? ''} ${metric.name}${metric.dryRun ? ' (dry run)' : ''}: ${metric.phase}, ${counts}`,
      );
      for (const m of metric.measurements.slice(-3))
        lines.push(
          `        ${m.finishedAt} ${m.phase} ${showValue(m.value)}${m.message ? ` ${m.message}` : ''}`,
        );
    }
  }
  return lines;
}

/** One line per rollout for `rollouts list`. */
/** `rollouts list`: one line per rollout, from its summary (core/rollout-summary.ts). */
export function renderList(items: RolloutListItem[]): string {
  const header = `${'NAMESPACE'.padEnd(20)}${'NAME'.padEnd(24)}${'STATUS'.padEnd(14)}${'STEP'.padEnd(8)}${'WEIGHT'.padEnd(8)}MESSAGE`;
  const rows = items.map((s) => {
    const step = s.step === null ? '-' : `${Math.min(s.step, s.steps)}/${s.steps}`;
    return `${s.namespace.padEnd(20)}${s.name.padEnd(24)}${s.phase.padEnd(14)}${step.padEnd(8)}${String(s.weight).padEnd(8)}${s.message}`;
  });
  return [header, ...rows].join('\n');
}
