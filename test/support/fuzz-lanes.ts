import { setTimeout as sleep } from 'node:timers/promises';
import { FuzzTally, problemsWith, redact, type FuzzAnswer } from './fuzz-answers';
import { keepAliveAgent, send } from './fuzz-http';
import { runPipeline } from './fuzz-pipeline';
import type { FuzzRandom } from './fuzz-random';
import { rawCase, slowCase, type RawCase } from './fuzz-raw-requests';
import { sendRaw, type RawOutcome } from './fuzz-raw-socket';
import { guessRequest, volumeRequest, type FuzzRequest } from './fuzz-requests';
import { KEYS, SERVED_PROVIDER } from './fuzz-world';

export interface LaneSettings {
  port: number;
  rng: FuzzRandom;
  secrets: readonly string[];
  requests: number;
  /** Keep-alive connections of the volume lane, each with `pipelineDepth` requests written ahead. */
  volumeSockets: number;
  pipelineDepth: number;
  /** Guessers held open past the broker's cap on delayed answers (256) get theirs at once: they pause between guesses. */
  guessers: number;
  rawWorkers: number;
  /**
   * Failed authentications are slowed per client address, so each lane has its own: the guessers'
   * failures must not slow the volume lane, and the valid callers must be served whatever the others do.
   */
  addresses: { volume: string; guessers: string; valid: string };
}

export interface LaneResults {
  tally: FuzzTally;
  /** The valid callers' answers: status (or client error) and whether the body was a token for them. */
  valid: { calls: number; failures: string[] };
  slow: { ms: number[]; problems: string[] };
  counts: { volume: number; guesses: number; raw: number };
}

/**
 * The fuzz run's lanes, all at once: the volume lane (keep-alive HTTP, every route, method and
 * header), the guesser lane (wrong credentials, which the broker slows), the raw lane (malformed
 * bytes on sockets), connections left half-sent, and the valid callers from another address.
 * The guesser, raw and valid lanes run for as long as the volume lane does.
 */
export async function runLanes(settings: LaneSettings): Promise<LaneResults> {
  const tally = new FuzzTally(settings.secrets);
  const counts = { volume: 0, guesses: 0, raw: 0 };
  let volumeDone = false;
  const judge = (lane: string, asked: FuzzRequest, outcome: FuzzAnswer | string) =>
    typeof outcome === 'string'
      ? tally.record(lane, asked, outcome, [`no answer (${outcome})`])
      : tally.record(lane, asked, outcome.status, problemsWith(asked, outcome, settings.secrets));

  const slow = Array.from({ length: 4 }, (_, i) => sendRaw(settings.port, slowCase(i), 20_000));
  const volumeRng = settings.rng.fork('volume');
  const pipeline = { port: settings.port, localAddress: settings.addresses.volume, depth: settings.pipelineDepth, timeoutMs: 15_000 };
  const nextVolume = () => (counts.volume < settings.requests ? ((counts.volume += 1), volumeRequest(volumeRng)) : undefined);
  const volume = Promise.all(
    Array.from({ length: settings.volumeSockets }, () =>
      runPipeline(pipeline, nextVolume, (asked, outcome) => judge('volume', asked, outcome)),
    ),
  ).finally(() => (volumeDone = true));

  const guessRng = settings.rng.fork('guesses');
  const guessAgent = keepAliveAgent(settings.guessers);
  const guesses = workers(settings.guessers, async () => {
    if (volumeDone) return false;
    counts.guesses += 1;
    const asked = guessRequest(guessRng);
    judge('guesses', asked, await send(settings.port, guessAgent, asked, settings.addresses.guessers, 15_000));
    await sleep(250);
    return true;
  });

  const rawRng = settings.rng.fork('raw');
  const raw = workers(settings.rawWorkers, async () => {
    if (volumeDone) return false;
    counts.raw += 1;
    const sent = rawCase(rawRng);
    judgeRaw(tally, sent, await sendRaw(settings.port, sent, 15_000), settings.secrets);
    return true;
  });

  const valid = validCallers(settings, () => volumeDone);
  await Promise.all([volume, guesses, raw]);
  guessAgent.destroy();
  const slowOutcomes = await Promise.all(slow);
  const slowProblems = slowOutcomes.flatMap((outcome, i) => {
    const asked = { ...slowCase(i).requests[0], path: `(left open ${i})` };
    for (const answer of outcome.answers) tally.record('left-open', asked, answer.status, problemsWith(asked, answer, settings.secrets));
    return outcome.timedOut ? [`left-open connection ${i} still open after 20 s`] : [];
  });
  return { tally, valid: await valid, slow: { ms: slowOutcomes.map((o) => o.ms), problems: slowProblems }, counts };
}

/**
 * More of the volume lane alone, `requests` of them (for the memory check): resolves with how many
 * were answered, whatever the answer.
 */
export async function runVolumeBurst(
  settings: Pick<LaneSettings, 'port' | 'rng' | 'volumeSockets' | 'pipelineDepth' | 'addresses'>,
  requests: number,
): Promise<number> {
  const rng = settings.rng.fork('burst');
  const pipeline = { port: settings.port, localAddress: settings.addresses.volume, depth: settings.pipelineDepth, timeoutMs: 15_000 };
  let sent = 0;
  let answered = 0;
  const next = () => (sent < requests ? ((sent += 1), volumeRequest(rng)) : undefined);
  await Promise.all(
    Array.from({ length: settings.volumeSockets }, () =>
      runPipeline(pipeline, next, (_asked, outcome) => (answered += typeof outcome === 'string' ? 0 : 1)),
    ),
  );
  return answered;
}

/** Runs `step` in `count` parallel loops until it returns false. */
async function workers(count: number, step: () => Promise<boolean>): Promise<void> {
  await Promise.all(
    Array.from({ length: count }, async () => {
      while (await step());
    }),
  );
}

/** Every answer on a raw connection is judged like any other; the connection itself must end with whole answers. */
function judgeRaw(tally: FuzzTally, sent: RawCase, outcome: RawOutcome, secrets: readonly string[]): void {
  const problems: string[] = [];
  if (outcome.timedOut) problems.push('connection still open after 15 s');
  if (outcome.leftover > 0) problems.push(`an answer cut off (${outcome.leftover} bytes)`);
  if (outcome.answers.length < sent.requests.length && !sent.mayGoUnanswered)
    problems.push(`${outcome.answers.length} answers to ${sent.requests.length} requests`);
  const first = outcome.answers[0];
  if (sent.expect && first && first.status !== sent.expect) problems.push(`expected ${sent.expect}, got ${first.status}`);
  const label = (asked: RawCase['requests'][number]) => ({ ...asked, path: `(${sent.kind}) ${asked.path}` });
  if (outcome.answers.length === 0) tally.record('raw', label(sent.requests[0]), 'closed', problems);
  outcome.answers.forEach((answer, i) => {
    const asked = sent.requests[Math.min(i, sent.requests.length - 1)];
    tally.record('raw', label(asked), answer.status, [...problemsWith(asked, answer, secrets), ...(i === 0 ? problems : [])]);
  });
}

/** GET /tokens/<served> from another address every 20 ms while the run lasts: each must be a 200 with a token. */
async function validCallers(settings: LaneSettings, done: () => boolean): Promise<{ calls: number; failures: string[] }> {
  const agent = keepAliveAgent(2);
  const failures: string[] = [];
  let calls = 0;
  while (!done()) {
    calls += 1;
    const asked: FuzzRequest = {
      routeClass: 'tokens',
      method: 'GET',
      path: `/tokens/${SERVED_PROVIDER}${calls % 5 === 0 ? '?minTtl=60' : ''}`,
      headers: { authorization: `Bearer ${KEYS.valid}` },
    };
    const outcome = await send(settings.port, agent, asked, settings.addresses.valid, 15_000);
    const problems =
      typeof outcome === 'string'
        ? [outcome]
        : outcome.status !== 200
          ? [`${outcome.status} ${outcome.body.slice(0, 120)}`]
          : problemsWith(asked, outcome, settings.secrets);
    if (problems.length > 0) failures.push(redact(problems.join('; '), settings.secrets));
    await sleep(20);
  }
  agent.destroy();
  return { calls, failures };
}
