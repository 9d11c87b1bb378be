import { CENSOR, scrubSecrets } from './scrub-secrets';

describe('scrubSecrets', () => {
  it('returns the very object when nothing needs masking', () => {
    const line = { provider: 'sd', status: 200, nested: { route: '/tokens/:provider' }, list: [{ a: 1 }] };
    expect(scrubSecrets(line)).toBe(line);
  });

  it('masks in a copy, whatever the case of the field name, leaving the original intact', () => {
    const line = { headers: { Authorization: 'Bearer s3cr3t' }, items: [{ Client_Secret: 's3cr3t' }] };
    expect(scrubSecrets(line)).toEqual({ headers: { Authorization: CENSOR }, items: [{ Client_Secret: CENSOR }] });
    expect(line.headers.Authorization).toBe('Bearer s3cr3t');
  });

  it('looks three objects deep, as the rule says', () => {
    expect(scrubSecrets({ a: { b: { c: { token: 's3cr3t' } } } })).toEqual({ a: { b: { c: { token: CENSOR } } } });
    expect(scrubSecrets({ a: { b: { c: { d: { token: 'deeper' } } } } })).toEqual({ a: { b: { c: { d: { token: 'deeper' } } } } });
  });
});
