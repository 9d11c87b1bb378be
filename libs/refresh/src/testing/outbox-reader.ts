import type { Cluster, Redis } from 'ioredis';
import { SecretBox } from '@app/credentials';
import type { OutboxEntry } from '@app/token-store';
import { openPending, type PendingRotation } from '../pending-rotation';

/**
 * Reads a provider's sealed outbox entry straight from Redis, as a replica would: for tests' final
 * verdicts. Takes any topology's client (the caller closes it).
 */
export async function readOutbox(
  client: Redis | Cluster,
  keyPrefix: string,
  provider: string,
  masterKeyBase64: string,
): Promise<PendingRotation | undefined> {
  const raw = await client.get(`${keyPrefix}{${provider}}:outbox`);
  return raw ? openPending(new SecretBox(Buffer.from(masterKeyBase64, 'base64')), provider, JSON.parse(raw) as OutboxEntry) : undefined;
}
