/**
 * Providers ordered by when the scheduler should next look at them: a binary min-heap, so with
 * thousands of providers each step costs O(log n) instead of a scan of all of them.
 */
export class DueQueue {
  private readonly heap: Array<{ id: string; at: number }> = [];

  get size(): number {
    return this.heap.length;
  }

  push(id: string, at: number): void {
    this.heap.push({ id, at });
    let i = this.heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.heap[parent].at <= this.heap[i].at) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  /** The next provider whose time has come, removed from the queue; undefined when none is due. */
  popDue(now: number): string | undefined {
    if (this.heap.length === 0 || this.heap[0].at > now) return undefined;
    const top = this.heap[0];
    const last = this.heap.pop()!;
    if (this.heap.length > 0) {
      this.heap[0] = last;
      this.siftDown(0);
    }
    return top.id;
  }

  private siftDown(i: number): void {
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < this.heap.length && this.heap[left].at < this.heap[smallest].at) smallest = left;
      if (right < this.heap.length && this.heap[right].at < this.heap[smallest].at) smallest = right;
      if (smallest === i) return;
      this.swap(i, smallest);
      i = smallest;
    }
  }

  private swap(a: number, b: number): void {
    [this.heap[a], this.heap[b]] = [this.heap[b], this.heap[a]];
  }
}
