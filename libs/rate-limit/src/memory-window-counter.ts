import { currentWindow, MemberAmount, WindowCount, WindowCounter } from './window-counter';

/** Embedded mode: the counters live in this process. Expired windows are dropped as the map grows. */
export class MemoryWindowCounter implements WindowCounter {
  private readonly windows = new Map<string, { index: number; total: number }>();

  async add(key: string, amount: number, windowMs: number): Promise<WindowCount> {
    const { index, resetInMs } = currentWindow(windowMs);
    return { total: this.addTo(key, amount, index), resetInMs };
  }

  async addAll(scope: string, amounts: ReadonlyArray<MemberAmount>, _windowMs: number, windowIndex: number): Promise<number[]> {
    return amounts.map(([member, amount]) => this.addTo(`rate:${scope}\0${member}`, amount, windowIndex));
  }

  private addTo(key: string, amount: number, index: number): number {
    let window = this.windows.get(key);
    if (!window || window.index !== index) {
      if (this.windows.size >= 10_000) this.evict(index);
      window = { index, total: 0 };
      this.windows.set(key, window);
    }
    window.total += amount;
    return window.total;
  }

  private evict(index: number): void {
    for (const [key, window] of this.windows) if (window.index < index) this.windows.delete(key);
  }
}
