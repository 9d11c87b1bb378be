import { BenchScene, fetchToken, tokenUrl } from './environment';

export interface StormResult {
  callers: number;
  upstreamCalls: number;
  allAnsweredMs: number;
  non200: number;
  distinctTokens: number;
}

/**
 * 3 broker processes, `callers` concurrent requests whose minTtl is above the cached token's
 * remaining life, so every one of them needs the refresh: the upstream must see exactly one call.
 */
export async function benchRefreshStorm(scene: BenchScene, callers: number): Promise<StormResult> {
  const lifetime = 60;
  const brokers = await scene.startBrokers(['storm'], 3);
  await scene.seed(brokers[0], ['storm']);
  await fetchToken(tokenUrl(brokers[0].url, 'storm'));
  // the cached token now has ~50 s left, short of minTtl; a fresh one (60 s) meets it for 5 s, enough for
  // every caller even on a loaded machine (with 1 s of slack, late callers rightly needed a second refresh)
  await new Promise((resolve) => setTimeout(resolve, 10_000));
  const before = scene.simulator.callsTo('/connect/token').length;
  const started = Date.now();
  const answers = await Promise.all(
    Array.from({ length: callers }, (_, i) => fetchToken(tokenUrl(brokers[i % 3].url, 'storm', `?minTtl=${lifetime - 5}`))),
  );
  return {
    callers,
    upstreamCalls: scene.simulator.callsTo('/connect/token').length - before,
    allAnsweredMs: Date.now() - started,
    non200: answers.filter((a) => a.status !== 200).length,
    distinctTokens: new Set(answers.map((a) => a.token)).size,
  };
}
