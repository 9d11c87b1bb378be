import { mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

/**
 * A memory cgroup for one broker process, so the bench can measure it as a pod with a memory limit
 * runs it: Node sizes V8's heap from the limit it finds. Needs root and a writable cgroup file
 * system (v1 or v2); where there is none, `create` says why and the bench skips that row.
 */
export class MemoryCgroup {
  private constructor(readonly path: string) {}

  static create(limitMiB: number): MemoryCgroup | { unavailable: string } {
    try {
      const lines = readFileSync('/proc/self/cgroup', 'utf8').split('\n');
      const v1 = lines.find((line) => line.split(':')[1]?.split(',').includes('memory'));
      const [own, base, limitFile] = v1
        ? [v1.split(':')[2], '/sys/fs/cgroup/memory', 'memory.limit_in_bytes']
        : [lines.find((line) => line.startsWith('0::'))?.slice(3) ?? '/', '/sys/fs/cgroup', 'memory.max'];
      const path = join(base, own, `tb-bench-${randomBytes(3).toString('hex')}`);
      mkdirSync(path);
      writeFileSync(join(path, limitFile), String(limitMiB * 2 ** 20));
      return new MemoryCgroup(path);
    } catch (error) {
      return { unavailable: `no memory cgroup (${(error as Error).message})` };
    }
  }

  /** Once the processes in it have exited. */
  remove(): void {
    rmdirSync(this.path);
  }
}
