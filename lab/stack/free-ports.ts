// Ports for a lab or control plane of its own (tests, the bench). Asking the OS for port 0 hands out a
// port from the ephemeral range, the same range every outgoing connection takes its local port from: by
// the time the component binds it, a client of another component (kube-apiserver to etcd, the worker to
// Temporal) may hold it, and the bind fails with EADDRINUSE. So pick below that range, where only
// listeners live, and check each pick is free.
import fs from 'node:fs';
import net from 'node:net';

const LOWEST = 20000;

/** The first port of the kernel's ephemeral range (Linux's default where it cannot be read). */
export function ephemeralLow(): number {
  try {
    const [low] = fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
    const port = Number(low);
    return Number.isInteger(port) && port > 0 ? port : 32768;
  } catch {
    return 32768;
  }
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function osPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** `count` distinct ports that were free a moment ago, outside the ephemeral range where it leaves room. */
export async function freePorts(count: number): Promise<number[]> {
  const high = ephemeralLow();
  const span = high - LOWEST;
  const ports: number[] = [];
  if (span < count * 10) {
    while (ports.length < count) {
      const port = await osPort();
      if (!ports.includes(port)) ports.push(port);
    }
    return ports;
  }
  // A random start keeps processes that pick at the same moment (jest's workers) apart.
  let candidate = LOWEST + Math.floor(Math.random() * span);
  for (let tries = 0; ports.length < count && tries < span; tries++) {
    const port = LOWEST + ((candidate++ - LOWEST) % span);
    if (!ports.includes(port) && (await bindable(port))) ports.push(port);
  }
  if (ports.length < count) throw new Error(`no ${count} free ports between ${LOWEST} and ${high - 1}`);
  return ports;
}
