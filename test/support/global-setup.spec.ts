import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import globalSetup, { type TestRun } from './global-setup';
import globalTeardown from './global-teardown';

describe('the test run temporary directory', () => {
  it('is where every worker creates its temporary files', () => {
    expect(basename(tmpdir())).toMatch(/^tb-test-run-/);
    expect(dirname(process.env.TB_LOG_CAPTURE_DIR ?? '')).toBe(tmpdir());
  });

  it('goes at the end of a run, with whatever specs left in it', async () => {
    const env = { ...process.env };
    const run = globalThis as TestRun;
    try {
      await globalSetup();
      const runDir = run.__RUN_DIR__!;
      mkdirSync(join(runDir, 'tb-left-behind'));
      writeFileSync(join(runDir, 'tb-left-behind', 'credentials.enc'), '{}');
      const output = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
      try {
        await globalTeardown();
        expect(output).toHaveBeenCalledWith(expect.stringContaining('Log check: no test secret'));
      } finally {
        output.mockRestore();
      }
      expect(existsSync(runDir)).toBe(false);
    } finally {
      process.env = env;
      delete run.__REDIS__;
      delete run.__RUN_DIR__;
    }
  });
});
