import { LockUnavailableError } from '@app/errors';
import { DistributedLock, HeldLock, LockHold, LockOptions } from './distributed-lock';

/** Embedded mode: a FIFO mutex per resource inside this process. */
export class InProcessLock implements DistributedLock {
  readonly description = 'in-process mutex (embedded mode, single instance)';
  private readonly tails = new Map<string, Promise<void>>();

  async withLock<T>(resource: string, _ttlMs: number, fn: (lock: HeldLock) => Promise<T>, options: LockOptions): Promise<T> {
    const previous = this.tails.get(resource) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => mine);
    this.tails.set(resource, tail);
    try {
      await waitFor(previous, options.waitMs, resource);
      return await fn(new LockHold());
    } finally {
      release();
      if (this.tails.get(resource) === tail) this.tails.delete(resource);
    }
  }

  async heldAmong(resources: readonly string[]): Promise<Set<string>> {
    return new Set(resources.filter((resource) => this.tails.has(resource)));
  }
}

async function waitFor(previous: Promise<void>, waitMs: number, resource: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new LockUnavailableError(resource)), waitMs);
  });
  try {
    await Promise.race([previous, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
