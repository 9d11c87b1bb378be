import { appendFileSync } from 'node:fs';
import { join } from 'node:path';

/** Marks a stream already teed: set on the worker's real stream, so every test file sees it. */
const TEED = Symbol.for('token-broker.test-log-capture');

type TeeableStream = Pick<NodeJS.WriteStream, 'write'> & { [TEED]?: true };

/**
 * Tees this test worker's stdout and stderr into the run's capture directory (see global setup), so
 * teardown can prove no secret was logged. The brokers under test log at debug level for that; their
 * lines go to the capture only, unless TB_SHOW_LOGS=1, to keep test output readable.
 */
const dir = process.env.TB_LOG_CAPTURE_DIR;
if (dir) teeOnce([process.stdout, process.stderr], join(dir, `worker-${process.pid}.log`), process.env.TB_SHOW_LOGS === '1');

/**
 * Jest runs this file for every test file, but the streams are the worker process's own, shared by
 * all its files: wrapped once per file, the N-th file's writes went through N wrappers, were captured
 * N times, and each wrapper kept its file's whole module registry alive, so a worker's heap grew
 * with every file and its exit outlasted Jest's 500 ms ("A worker process has failed to exit
 * gracefully"). A stream is wrapped once.
 */
export function teeOnce(streams: TeeableStream[], file: string, show: boolean): void {
  for (const stream of streams) {
    if (stream[TEED]) continue;
    stream[TEED] = true;
    const original = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    stream.write = (chunk: unknown, ...rest: unknown[]) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
      appendFileSync(file, text);
      return show || !isBrokerLogLine(text) ? original(chunk, ...rest) : true;
    };
  }
}

/** The broker's JSON log lines (pino), and Nest's console lines printed before its logger is set up. */
function isBrokerLogLine(text: string): boolean {
  return text.startsWith('{"level":') || text.includes('[Nest]');
}
