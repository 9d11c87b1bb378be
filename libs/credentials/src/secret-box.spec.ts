import { randomBytes } from 'node:crypto';
import { SecretBox } from './secret-box';

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32));

  it('opens what it sealed, and the sealed form does not contain the plaintext', () => {
    const sealed = box.seal('refresh-token-value', 'outbox:pa');
    expect(sealed).not.toContain('refresh-token-value');
    expect(box.open(sealed, 'outbox:pa')).toBe('refresh-token-value');
  });

  it('refuses another context, another key and a changed ciphertext', () => {
    const sealed = box.seal('value', 'outbox:pa');
    expect(() => box.open(sealed, 'outbox:other')).toThrow();
    expect(() => new SecretBox(randomBytes(32)).open(sealed, 'outbox:pa')).toThrow();
    const [v, iv, tag, data] = sealed.split('.');
    const flipped = Buffer.from(data, 'base64');
    flipped[0] ^= 1;
    expect(() => box.open([v, iv, tag, flipped.toString('base64')].join('.'), 'outbox:pa')).toThrow();
  });
});
