import { shutdownSummary } from './shutdown-summary';

describe('shutdownSummary', () => {
  it('says there was nothing to wait for', () => {
    expect(shutdownSummary({ signal: 'SIGTERM', inFlight: [], waitedMs: 0, finished: true })).toBe(
      'Shutting down on SIGTERM: no refresh was running, nothing to wait for',
    );
  });

  it('names the refreshes it waited for and how long', () => {
    expect(shutdownSummary({ signal: 'SIGTERM', inFlight: ['passolution'], waitedMs: 1_460, finished: true })).toBe(
      'Shutting down on SIGTERM: waited 1.5 s for 1 refresh to finish and persist (passolution)',
    );
  });

  it('says when it gave up, naming at most five providers', () => {
    const inFlight = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    expect(shutdownSummary({ inFlight, waitedMs: 10_000, finished: false })).toBe(
      'Shutting down: gave up after 10.0 s on 7 refreshes still running (a, b, c, d, e and 2 more); a claim left behind expires after LOCK_TTL_MS',
    );
  });
});
