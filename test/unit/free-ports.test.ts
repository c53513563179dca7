import { describe, expect, it } from '@jest/globals';
import net from 'node:net';
import { ephemeralLow, freePorts } from '../../lab/stack/free-ports.js';

function listen(port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

describe('freePorts', () => {
  it('hands out distinct ports below the ephemeral range, each of which can be bound', async () => {
    const ports = await freePorts(7);
    expect(new Set(ports).size).toBe(7);
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(20000);
      expect(port).toBeLessThan(ephemeralLow());
      const server = await listen(port);
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('passes over a port someone already listens on', async () => {
    const [first] = (await freePorts(1)) as [number];
    const held = await listen(first);
    try {
      for (let i = 0; i < 20; i++) expect(await freePorts(3)).not.toContain(first);
    } finally {
      await new Promise((resolve) => held.close(resolve));
    }
  });
});
