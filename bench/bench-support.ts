import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The middle item by `key` (the upper one of an even count): how every bench figure picks its round. */
export function medianBy<T>(items: readonly T[], key: (item: T) => number): T {
  return [...items].sort((a, b) => key(a) - key(b))[Math.floor(items.length / 2)];
}

export function median(values: readonly number[]): number {
  return medianBy(values, (value) => value);
}

/** Waits until `url` answers HTTP at all. */
export async function untilAnswering(url: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (
    !(await fetch(url).then(
      () => true,
      () => false,
    ))
  ) {
    if (Date.now() > deadline) throw new Error(`${url} did not answer`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export function spawnNode(script: string, args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, [join(__dirname, script), ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** CPU seconds (user + system) and resident memory of a process, from /proc. */
export function processUsage(pid: number): { cpuSeconds: number; rssMb: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const ticks = Number(stat[11]) + Number(stat[12]); // utime + stime, in clock ticks (100/s on Linux)
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  return { cpuSeconds: ticks / 100, rssMb: rssKb / 1024 };
}

export async function putJson(url: string, token: string, body: unknown): Promise<void> {
  const res = await fetch(url, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status !== 204) throw new Error(`PUT ${url} answered ${res.status}`);
}

/** A broker answer for a baseline server to send again: its body and the headers that do not change per response. */
export interface ReplayedAnswer {
  headers: Record<string, string>;
  body: unknown;
}

/** Headers Node writes (or the broker generates) afresh for every response. */
const PER_RESPONSE_HEADERS = new Set(['date', 'connection', 'keep-alive', 'content-length', 'x-request-id']);

/** Asks `url` once, as the bench caller, for the answer a baseline server is to replay. */
export async function answerToReplay(url: string, authorization: string): Promise<ReplayedAnswer> {
  const res = await fetch(url, { headers: { authorization } });
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
  const headers = Object.fromEntries([...res.headers].filter(([name]) => !PER_RESPONSE_HEADERS.has(name)));
  return { headers, body: await res.json() };
}

/** What both baseline servers answer by default: the broker's answer shape for a one-hour token. */
export function baselineAnswer(): Record<string, unknown> {
  return {
    provider: 'bench',
    access_token: 'x'.repeat(64),
    token_type: 'Bearer',
    expires_at: new Date(Date.now() + 3_600_000).toISOString(),
    expires_in: 3600,
  };
}
