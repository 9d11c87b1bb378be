import { spawnSync } from 'node:child_process';
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
