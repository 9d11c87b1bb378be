import { createServer } from 'node:net';
import { FREE_PORT_RANGE, freePort } from './redis-server';

describe('freePort', () => {
  it('picks ports below the ephemeral range, where no outgoing connection can take them before the bind', async () => {
    const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(FREE_PORT_RANGE.first);
      expect(port).toBeLessThan(FREE_PORT_RANGE.end);
    }
  });

  it('gives a port a process can listen on', async () => {
    const port = await freePort();
    const server = createServer();
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
    await new Promise((resolve) => server.close(resolve));
  });
});
