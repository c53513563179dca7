// etcd + kube-apiserver with our Istio CRDs, run by scripts/kube-control-plane.sh in <lab>/kube (its pid
// files, logs, etcd data, kubeconfig); the script's output goes to logs/kube.log.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Component, Health, LabContext } from './component.js';
import { kubeScript, logFile, repoRoot, toolsBin } from './paths.js';
import { childEnv, LabError, logTail } from './process.js';
import { seconds } from './settings.js';

const PROCESSES = ['etcd', 'kube-apiserver'] as const;

interface ScriptResult {
  code: number;
  output: string;
}

/** Runs the script with the lab's ports; its output is returned and appended to logs/kube.log. */
function runScript(ctx: LabContext, args: string[]): Promise<ScriptResult> {
  fs.mkdirSync(ctx.paths.logs, { recursive: true });
  const log = logFile(ctx.paths, 'kube');
  // childEnv keeps KUBE_* of the caller away from the script: the audit log (opt-in) is let through.
  const audit = ctx.env.KUBE_AUDIT_LOG;
  const env = childEnv(ctx.env, {
    ETCD_PORT: String(ctx.ports.etcd),
    ETCD_PEER_PORT: String(ctx.ports.etcdPeer),
    KUBE_APISERVER_PORT: String(ctx.ports.kube),
    ...(audit ? { KUBE_AUDIT_LOG: path.resolve(audit) } : {}),
  });
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [kubeScript, ...args], {
      cwd: repoRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const collect = (chunk: Buffer) => (output += chunk.toString('utf8'));
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('error', reject);
    child.once('close', (code) => {
      if (args[0] !== 'status')
        fs.appendFileSync(
          log,
          `\n=== kube-control-plane.sh ${args.join(' ')} at ${new Date().toISOString()}\n${output}`,
        );
      resolve({ code: code ?? 1, output });
    });
  });
}

/** The pid of etcd or kube-apiserver from the script's pid file, if that process still runs the binary. */
function pidOf(ctx: LabContext, name: (typeof PROCESSES)[number]): number | undefined {
  try {
    const pid = Number(fs.readFileSync(path.join(ctx.paths.kubeDir, `${name}.pid`), 'utf8').trim());
    const argv0 = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0];
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    return argv0 === path.join(toolsBin, name) && state !== 'Z' ? pid : undefined;
  } catch {
    return undefined;
  }
}

function pids(ctx: LabContext): string {
  return PROCESSES.map((name) => [name, pidOf(ctx, name)] as const)
    .filter(([, pid]) => pid !== undefined)
    .map(([name, pid]) => `${name} pid ${pid}`)
    .join(', ');
}

export const kube: Component = {
  name: 'kube',
  ports: ['etcd', 'etcdPeer', 'kube'],
  url: (ctx) => `${ctx.urls.kube} (kubeconfig ${ctx.paths.kubeconfig})`,

  preflight() {
    const missing = PROCESSES.map((name) => path.join(toolsBin, name)).filter((bin) => !fs.existsSync(bin));
    return missing.length ? `${missing.join(', ')} missing: run scripts/install-tools.sh` : undefined;
  },

  running: (ctx) => Promise.resolve(PROCESSES.some((name) => pidOf(ctx, name) !== undefined)),

  async health(ctx): Promise<Health> {
    if (!fs.existsSync(ctx.paths.kubeDir)) return { ok: false, pids: '', detail: 'not running' };
    // The script's own status: both processes ours and /readyz answering 200.
    const { code, output } = await runScript(ctx, ['status', ctx.paths.kubeDir]);
    const problems = output
      .split('\n')
      .filter((line) => /stopped|not ready/.test(line))
      .map((line) => line.replace(/\s+/g, ' ').trim());
    return {
      ok: code === 0,
      pids: pids(ctx),
      ...(code === 0 ? {} : { detail: problems.join('; ') || `kube-control-plane.sh status exited ${code}` }),
    };
  },

  async start(ctx): Promise<void> {
    fs.mkdirSync(ctx.paths.logs, { recursive: true });
    // The processes log into the script's directory; link them where the lab's other logs are.
    for (const name of PROCESSES) {
      const link = logFile(ctx.paths, name);
      fs.rmSync(link, { force: true });
      fs.symlinkSync(path.relative(ctx.paths.logs, path.join(ctx.paths.kubeDir, `${name}.log`)), link);
    }
    const { code, output } = await runScript(ctx, ['start', ctx.paths.kubeDir]);
    if (code !== 0)
      throw new LabError(
        `kube: scripts/kube-control-plane.sh start failed (exit ${code}); see ${logFile(ctx.paths, 'kube')}\n` +
          output.trimEnd().split('\n').slice(-15).join('\n'),
      );
  },

  // The script starts only what does not run, on the ports it runs on.
  resume: (ctx) => kube.start(ctx),

  async stop(ctx): Promise<string | undefined> {
    const running = pids(ctx);
    if (!running) return undefined;
    const started = Date.now();
    const { code, output } = await runScript(ctx, ['stop', ctx.paths.kubeDir]);
    if (code !== 0)
      throw new LabError(
        `kube: scripts/kube-control-plane.sh stop failed (exit ${code}):\n${output.trimEnd()}`,
      );
    const left = pids(ctx);
    if (left)
      throw new LabError(`kube: still running after stop: ${left}\n${logTail(logFile(ctx.paths, 'kube'))}`);
    return `stopped ${running} in ${seconds(Date.now() - started)}`;
  },
};
