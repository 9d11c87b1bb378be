import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { ownerStatus, ownerText } from './lock-owner';

const withOwner = (changes: Record<string, unknown>) => JSON.stringify({ ...JSON.parse(ownerText()), ...changes });

describe('ownerStatus', () => {
  it('knows this live process as alive', () => {
    expect(ownerStatus(ownerText())).toBe('alive');
  });

  it('knows a pid that has exited as gone', () => {
    const exited = spawnSync(process.execPath, ['-e', '']).pid;
    expect(ownerStatus(withOwner({ pid: exited }))).toBe('gone');
  });

  it('knows a process that exited but was not yet collected by its parent (a zombie) as gone', async () => {
    // the shell becomes `sleep`, which never waits for its background child: that child stays a zombie
    const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 5'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const [line] = (await once(parent.stdout, 'data')) as [Buffer];
      const zombie = Number(line.toString().trim());
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(ownerStatus(withOwner({ pid: zombie, started: undefined }))).toBe('gone');
    } finally {
      parent.kill('SIGKILL');
    }
  });

  it('knows a pid now held by another process (a restarted container, a reused pid) as gone', () => {
    expect(ownerStatus(withOwner({ started: '1' }))).toBe(process.platform === 'linux' ? 'gone' : 'alive');
  });

  it('cannot verify an owner from another host or container, or a text not in its format', () => {
    expect(ownerStatus(withOwner({ scope: 'another-host' }))).toBe('unverifiable');
    expect(ownerStatus(`${process.pid} ${Date.now()}`)).toBe('unverifiable');
    expect(ownerStatus('')).toBe('unverifiable');
    expect(ownerStatus('{"pid":-1,"scope":""}')).toBe('unverifiable');
  });
});
