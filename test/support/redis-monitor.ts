import Redis from 'ioredis';
import { connect, type Socket } from 'node:net';
import { waitFor } from './wait-for';

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

/** The commands Redis executes on keys under one prefix, taken in slices. */
export interface CommandRecorder {
  /** The names (lower case) of the commands since the last take, in order: every command already answered is in it. */
  take(): Promise<string[]>;
  stop(): Promise<void>;
}

/**
 * Records through MONITOR; a take sends a marker GET of its own and waits until MONITOR shows it,
 * after everything before. PUBLISH names a channel, not a key: the near-cache's probes, sent every
 * second, are not counted.
 */
export async function recordCommands(url: string, prefix: string): Promise<CommandRecorder> {
  const lines: string[] = [];
  const monitor = await rawMonitor(url, (line) => {
    if (line.includes(`"${prefix}`) && !/\] "publish"/i.test(line)) lines.push(line);
  });
  const markers = new Redis(url);
  let marks = 0;
  return {
    take: async () => {
      const mark = `"${prefix}recorder-mark:${++marks}"`;
      await markers.get(mark.slice(1, -1));
      await waitFor(() => lines.some((line) => line.includes(mark)), 2_000);
      const taken = lines.splice(0, lines.findIndex((line) => line.includes(mark)) + 1).slice(0, -1);
      return taken.map((line) => /\] "(\w+)"/.exec(line)![1].toLowerCase());
    },
    stop: async () => {
      monitor.destroy();
      await markers.quit();
    },
  };
}
