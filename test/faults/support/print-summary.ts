// Prints the fault suite's table (scripts/test-faults.sh, after Jest) and exits 1 when any rollout was
// lost or a scenario reported nothing.
import { formatTable, readScenarios } from './summary.js';

const rows = readScenarios();
if (rows.length === 0) {
  console.log('\nfault suite: no scenario reported a result');
  process.exit(1);
}
console.log(`\nfault suite\n${formatTable(rows)}`);
for (const row of rows) for (const note of row.notes ?? []) console.log(`  ${row.scenario}: ${note}`);
const lost = rows.reduce((n, r) => n + r.lost, 0);
const wrong = rows.filter((r) => r.completedCorrectly !== r.runs);
if (lost > 0 || wrong.length > 0) {
  console.log(
    `\nfault suite: ${lost} lost; not all correct in ${wrong.map((r) => r.scenario).join(', ') || 'none'}`,
  );
  process.exit(1);
}
