import { DueQueue } from './due-queue';

describe('DueQueue', () => {
  it('hands out only what is due, earliest first', () => {
    const queue = new DueQueue();
    const times = Array.from({ length: 200 }, (_, i) => ({ id: `p${i}`, at: (i * 7919) % 1000 }));
    for (const { id, at } of times) queue.push(id, at);
    expect(queue.popDue(-1)).toBeUndefined();
    const order: number[] = [];
    for (let id = queue.popDue(499); id !== undefined; id = queue.popDue(499)) order.push(times.find((t) => t.id === id)!.at);
    expect(order).toEqual(
      times
        .map((t) => t.at)
        .filter((at) => at <= 499)
        .sort((a, b) => a - b),
    );
    expect(queue.size).toBe(times.filter((t) => t.at > 499).length);
  });
});
