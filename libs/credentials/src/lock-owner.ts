import { randomBytes } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';

/** What a lock file says about the process that wrote it. */
interface Owner {
  pid: number;
  /** The kernel's start time of that process, so a pid later reused by another process is not taken for it. */
  started?: string;
  /** Where the pid means something; see PID_SCOPE. */
  scope: string;
}

export type OwnerStatus = 'alive' | 'gone' | 'unverifiable';

/** Where a pid names the same process as it does here: this host, this boot, this pid namespace (a container has its own). */
const PID_SCOPE = [
  hostname(),
  readOrEmpty(() => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()),
  readOrEmpty(() => readlinkSync('/proc/self/ns/pid')),
].join(' ');
const OWN_START = procStat(process.pid)?.started;

/** The text of a lock file owned by this process; a nonce makes every one unique. */
export function ownerText(): string {
  return JSON.stringify({ pid: process.pid, started: OWN_START, scope: PID_SCOPE, nonce: randomBytes(12).toString('hex') });
}

/**
 * `gone`: the owner is verifiably not running (its pid is dead here, a zombie, or now another process).
 * `unverifiable`: another host or container wrote it, or it is not our format (an earlier version's
 * lock, a half-written file), so only its age can tell.
 */
export function ownerStatus(text: string): OwnerStatus {
  const owner = parseOwner(text);
  if (!owner || owner.scope !== PID_SCOPE) return 'unverifiable';
  if (!isAlive(owner.pid)) return 'gone';
  const stat = procStat(owner.pid);
  if (!stat) return 'alive'; // off Linux the pid alone has to do
  // a zombie has exited and only waits for its parent to collect it
  return stat.state === 'Z' || (owner.started !== undefined && stat.started !== owner.started) ? 'gone' : 'alive';
}

function parseOwner(text: string): Owner | undefined {
  try {
    const owner = JSON.parse(text) as Partial<Owner>;
    return Number.isInteger(owner.pid) && owner.pid! > 0 && typeof owner.scope === 'string' ? (owner as Owner) : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** State and start time (fields 3 and 22) from /proc/<pid>/stat; undefined off Linux. */
function procStat(pid: number): { state: string; started: string } | undefined {
  const stat = readOrEmpty(() => readFileSync(`/proc/${pid}/stat`, 'utf8'));
  if (!stat) return undefined;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0], started: fields[19] };
}

function readOrEmpty(read: () => string): string {
  try {
    return read();
  } catch {
    return '';
  }
}
