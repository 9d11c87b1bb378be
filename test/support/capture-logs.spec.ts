import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { teeOnce } from './capture-logs';

describe('teeOnce', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'tb-capture-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('captures and passes on each write once, however many test files set it up in one worker', () => {
    const written: string[] = [];
    const stream = { write: (chunk: string) => written.push(chunk) > 0 } as unknown as Parameters<typeof teeOnce>[0][number];
    const file = join(dir, 'worker.log');
    for (let testFile = 0; testFile < 3; testFile += 1) teeOnce([stream], file, false);

    stream.write('a test line\n');
    stream.write('{"level":"info","msg":"a broker line"}\n');

    expect(readFileSync(file, 'utf8')).toBe('a test line\n{"level":"info","msg":"a broker line"}\n');
    expect(written).toEqual(['a test line\n']); // broker lines go to the capture only
  });
});
