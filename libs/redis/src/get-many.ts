import type { RedisClient } from './redis-client.factory';

/**
 * The values of `keys`, in their order (null where a key is missing), in one MGET. Under Cluster
 * the keys of different providers sit in different slots, and Redis refuses a multi-key command
 * across slots (CROSSSLOT): each key is read by itself there.
 */
export async function getMany(client: RedisClient, keys: readonly string[]): Promise<Array<string | null>> {
  if (keys.length === 0) return []; // MGET needs at least one key
  if (client.isCluster) return Promise.all(keys.map((key) => client.get(key)));
  return client.mget(...keys);
}
