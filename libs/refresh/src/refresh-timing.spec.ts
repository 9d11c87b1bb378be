import { backoffMs, refreshDueAt, refreshWindowMs } from './refresh-timing';

const token = { obtainedAt: 0, expiresAt: 3_600_000 };

describe('refresh timing', () => {
  it('takes a percentage of the lifetime as the window', () => {
    expect(refreshWindowMs(token, { kind: 'percent', value: 20 })).toBe(720_000);
  });

  it('takes fixed seconds, capped at half the lifetime so a short-lived token is not refreshed constantly', () => {
    expect(refreshWindowMs(token, { kind: 'seconds', value: 300 })).toBe(300_000);
    expect(refreshWindowMs({ obtainedAt: 0, expiresAt: 60_000 }, { kind: 'seconds', value: 300 })).toBe(30_000);
  });

  it('moves the due time earlier by at most 10% of the window (jitter)', () => {
    expect(refreshDueAt(token, { kind: 'percent', value: 20 }, 0)).toBe(2_880_000);
    expect(refreshDueAt(token, { kind: 'percent', value: 20 }, 1)).toBe(2_808_000);
  });

  it('backs off exponentially up to five minutes', () => {
    expect([1, 2, 3, 4].map(backoffMs)).toEqual([1000, 2000, 4000, 8000]);
    expect(backoffMs(30)).toBe(300_000);
  });
});
