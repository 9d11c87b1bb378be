import { createHmac } from 'node:crypto';

/** The docs' example text for `content`, used when the credentials give none. */
export const DEFAULT_PASSPORTAL_CONTENT = 'api-content-hash';

/** `x-hash`: hex HMAC-SHA256 of the body's `content`, keyed with the secret key. */
export function passportalHash(secretKey: string, content: string): string {
  return createHmac('sha256', secretKey).update(content, 'utf8').digest('hex');
}
