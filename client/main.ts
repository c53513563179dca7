// Entry point of the `rollouts` binary.
import { run } from './cli.js';

// Ctrl-C ends `get --watch` cleanly; a second one exits at once.
const interrupt = new AbortController();
process.once('SIGINT', () => {
  interrupt.abort();
  process.once('SIGINT', () => process.exit(130));
});

const code = await run(process.argv.slice(2), {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  signal: interrupt.signal,
});
process.exit(code);
