/**
 * The Redis key of one piece of a provider's state: `<prefix>{<provider>}:<kind>`. The braces are a
 * Redis Cluster hash tag, so every key of one provider lives in one slot and the Lua scripts that
 * touch several of them work on a cluster.
 */
export function providerKey(prefix: string, provider: string, kind: string): string {
  return `${prefix}{${provider}}:${kind}`;
}
