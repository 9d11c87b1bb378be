import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Inject } from '@nestjs/common';

/** AES-256-GCM ciphertext with its nonce and authentication tag, each base64. */
export interface SealedParts {
  iv: string;
  tag: string;
  data: string;
}

/**
 * Authenticated encryption with the broker's master key: the credentials file, and anything
 * secret the broker parks outside the credential store (the refresh-token outbox in Redis).
 * `context` is bound into the tag (AAD), so a sealed value cannot be replayed under another name.
 */
export class SecretBox {
  constructor(private readonly key: Buffer) {}

  sealParts(plaintext: string, context = ''): SealedParts {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    if (context) cipher.setAAD(Buffer.from(context, 'utf8'));
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return { iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
  }

  /** Throws when the key or context is wrong or the data was changed. */
  openParts(parts: SealedParts, context = ''): string {
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(parts.iv, 'base64'));
    if (context) decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(Buffer.from(parts.tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(parts.data, 'base64')), decipher.final()]).toString('utf8');
  }

  /** One compact string: `v1.<iv>.<tag>.<data>`. */
  seal(plaintext: string, context: string): string {
    const { iv, tag, data } = this.sealParts(plaintext, context);
    return `v1.${iv}.${tag}.${data}`;
  }

  open(sealed: string, context: string): string {
    const [version, iv, tag, data] = sealed.split('.');
    if (version !== 'v1' || !iv || !tag || data === undefined) throw new Error('not a sealed value');
    return this.openParts({ iv, tag, data }, context);
  }
}

export const SECRET_BOX = Symbol('SECRET_BOX');
export const InjectSecretBox = (): ParameterDecorator => Inject(SECRET_BOX);
