import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deriveProviderState, PROVIDER_STATE_GUIDE, statusWithRefusal, type ProviderStateInputs } from './provider-state';

const healthy: ProviderStateInputs = { hasCredentials: true, hasToken: true, status: { state: 'ok' }, refreshing: false };

describe('deriveProviderState', () => {
  it.each<[string, string, Partial<ProviderStateInputs>]>([
    ['a fresh token and a good last refresh', 'ok', {}],
    ['credentials stored but no status yet (before the first refresh)', 'ok', { hasToken: false, status: undefined }],
    ['nothing stored and no token', 'credentials_missing', { hasCredentials: false, hasToken: false, status: undefined }],
    ['no credentials but a token still valid (deleted after the refresh)', 'ok', { hasCredentials: false }],
    ['upstream refused the credentials', 'reauthorization_required', { status: { state: 'reauthorization_required' } }],
    [
      'refused, even while a refresh holds the lock',
      'reauthorization_required',
      { status: { state: 'reauthorization_required' }, refreshing: true },
    ],
    [
      'nothing stored wins over a stale refusal',
      'credentials_missing',
      { hasCredentials: false, hasToken: false, status: { state: 'reauthorization_required' } },
    ],
    ['a refresh holding the lock', 'refreshing', { refreshing: true }],
    ['a retry in progress after failures', 'refreshing', { status: { state: 'failing' }, refreshing: true }],
    ['transient failures, backing off', 'failing', { status: { state: 'failing' } }],
    ['status says degraded', 'degraded', { status: { state: 'degraded' } }],
    ['a rotated refresh token waiting in the outbox', 'degraded', { status: { state: 'ok', durableWritePending: true } }],
    ['failing with a write pending', 'failing', { status: { state: 'failing', durableWritePending: true } }],
  ])('%s -> %s', (_case, expected, overrides) => {
    expect(deriveProviderState({ ...healthy, ...overrides })).toBe(expected);
  });
});

describe('PROVIDER_STATE_GUIDE', () => {
  it("is README's state table, row for row", () => {
    const readme = readFileSync(join(__dirname, '../../../README.md'), 'utf8');
    const rows = Object.entries(PROVIDER_STATE_GUIDE).map(([state, g]) => `  | \`${state}\` | ${g.meaning} | ${g.whatToDo} |\n`);
    const inReadme = readme.match(/^ {2}\| state \| meaning \| what to do \|\n(?: {2}\|.*\n)*/m)?.[0];
    // a failure prints the table as it should be, ready to paste into README "Operations"
    expect(inReadme).toBe(['  | state | meaning | what to do |\n', '  |---|---|---|\n', ...rows].join(''));
  });
});

describe('statusWithRefusal', () => {
  const refusal = { code: 'invalid_grant', message: 'the upstream refused the refresh token', at: 1_000 };

  it('marks a chain the credential store says was refused, whatever Redis forgot', () => {
    expect(statusWithRefusal(undefined, refusal)).toEqual({
      state: 'reauthorization_required',
      consecutiveFailures: 1,
      lastError: refusal,
    });
    expect(statusWithRefusal({ state: 'ok', consecutiveFailures: 0, lastRefreshAt: 900 }, refusal)?.state).toBe('reauthorization_required');
  });

  it('trusts a refresh that succeeded after the mark: new credentials were stored on another replica', () => {
    const status = { state: 'ok' as const, consecutiveFailures: 0, lastRefreshAt: 2_000 };
    expect(statusWithRefusal(status, refusal)).toBe(status);
  });

  it('leaves a status alone when there is no mark', () => {
    const status = { state: 'failing' as const, consecutiveFailures: 3 };
    expect(statusWithRefusal(status, undefined)).toBe(status);
  });
});
