import type { CachedCredentials, CredentialRecord } from '@app/credentials';
import { CredentialsMissingError, UpstreamError } from '@app/errors';
import type { IssuedToken, ProviderInstance, TokenRequest } from '@app/providers';
import { PlainGrant } from './plain-grant';

const record = (version: number, secret: string): CredentialRecord => ({
  values: { client_id: 'id', client_secret: secret },
  version,
  updatedAt: '2026-01-01T00:00:00.000Z',
});
const refused = () => new UpstreamError('sd', 'permanent', 'invalid_client', 'refused');
const issued: IssuedToken = { accessToken: 'at-1', tokenType: 'Bearer', expiresAt: 1_000 };

/** A provider whose upstream answers each call with the next of `answers`; any call past them fails the test. */
function setUp(cached: CredentialRecord | undefined, stored: CredentialRecord | undefined, answers: Array<IssuedToken | Error>) {
  const secretsSent: string[] = [];
  const requestToken = async ({ credentials }: TokenRequest): Promise<IssuedToken> => {
    secretsSent.push(credentials.client_secret);
    const answer = answers.shift();
    if (!answer) throw new Error('unexpected upstream call');
    if (answer instanceof Error) throw answer;
    return answer;
  };
  const freshReads: string[] = [];
  const credentials = {
    get: async () => cached,
    getFresh: async (provider: string) => (freshReads.push(provider), stored),
  } as unknown as CachedCredentials;
  const instance = { id: 'sd', client: { requestToken } } as unknown as ProviderInstance;
  let slots = 0;
  const request = () => new PlainGrant(credentials).request(instance, undefined, async () => void (slots += 1));
  return { request, secretsSent, freshReads, slots: () => slots };
}

describe('PlainGrant', () => {
  it('asks the upstream once with the cached credentials, spending one slot', async () => {
    const grant = setUp(record(1, 's1'), undefined, [issued]);
    await expect(grant.request()).resolves.toBe(issued);
    expect(grant).toMatchObject({ secretsSent: ['s1'], freshReads: [] });
    expect(grant.slots()).toBe(1);
  });

  it('makes no call and spends no slot without credentials', async () => {
    const grant = setUp(undefined, undefined, []);
    await expect(grant.request()).rejects.toBeInstanceOf(CredentialsMissingError);
    expect(grant.slots()).toBe(0);
  });

  it('retries a refusal once with the newer credentials an admin just stored, spending a second slot', async () => {
    const grant = setUp(record(1, 's1'), record(2, 's2'), [refused(), issued]);
    await expect(grant.request()).resolves.toBe(issued);
    expect(grant).toMatchObject({ secretsSent: ['s1', 's2'], freshReads: ['sd'] });
    expect(grant.slots()).toBe(2);
  });

  it('passes a refusal on when the store holds nothing newer', async () => {
    const grant = setUp(record(1, 's1'), record(1, 's1'), [refused()]);
    await expect(grant.request()).rejects.toMatchObject({ reason: 'invalid_client' });
    expect(grant).toMatchObject({ secretsSent: ['s1'], freshReads: ['sd'] });
  });

  it('does not retry a transient failure, nor read the store for it', async () => {
    const grant = setUp(record(1, 's1'), record(2, 's2'), [new UpstreamError('sd', 'transient', 'timeout', 'slow')]);
    await expect(grant.request()).rejects.toMatchObject({ reason: 'timeout' });
    expect(grant).toMatchObject({ secretsSent: ['s1'], freshReads: [] });
  });
});
