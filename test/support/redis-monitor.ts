import { connect, type Socket } from 'node:net';

/**
 * MONITOR on its own socket: calls `onLine` with each command Redis executes from now on. Not
 * ioredis's monitor mode, which fails ("Command queue state error") when lines arrive before it
 * has switched modes, as they do on a busy Redis.
 */
export function rawMonitor(url: string, onLine: (line: string) => void): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write('MONITOR\r\n'));
    let pending = '';
    socket.setEncoding('utf8');
    socket.on('error', reject);
    socket.on('data', (chunk: string) => {
      const lines = (pending + chunk).split('\r\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (line === '+OK') resolve(socket);
        else onLine(line);
      }
    });
  });
}
