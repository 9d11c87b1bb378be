import { appendFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Tees this test worker's stdout and stderr into the run's capture directory (see global setup), so
 * teardown can prove no secret was logged. The brokers under test log at debug level for that; their
 * lines go to the capture only, unless TB_SHOW_LOGS=1, to keep test output readable.
 */
const dir = process.env.TB_LOG_CAPTURE_DIR;
const show = process.env.TB_SHOW_LOGS === '1';
if (dir) {
  const file = join(dir, `worker-${process.pid}.log`);
  for (const stream of [process.stdout, process.stderr]) {
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
