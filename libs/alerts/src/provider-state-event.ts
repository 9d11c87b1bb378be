import { randomUUID } from 'node:crypto';
import type { ProviderStatus } from '@app/token-store';

export type AlertState = ProviderStatus['state'];

/**
 * What each webhook receives when a provider's shared status changes state. Built from the status
 * only (state and last error), never from credentials or tokens; `text` makes it a ready Slack
 * message, the other fields are for machines.
 */
export interface ProviderStateEvent {
  /** Unique per change: a receiver can drop a repeat caused by a retry whose answer was lost. */
  id: string;
  type: 'provider_state_changed';
  provider: string;
  /** null: the shared status was absent (never written, or Redis lost its data). */
  old_state: AlertState | null;
  new_state: AlertState;
  error: { code: string; message: string } | null;
  /** ISO time of the change. */
  at: string;
  text: string;
}

/** Error messages are the upstream's words and can be long; a chat line needs the start. */
const MAX_MESSAGE_LENGTH = 300;

const DESCRIPTIONS: Record<AlertState, { icon: string; says: string }> = {
  ok: { icon: ':large_green_circle:', says: 'is ok' },
  degraded: { icon: ':large_yellow_circle:', says: 'is degraded: tokens are served, a rotated refresh token waits for its durable write' },
  failing: { icon: ':large_orange_circle:', says: 'is failing: the upstream fails, the broker retries with backoff' },
  reauthorization_required: { icon: ':red_circle:', says: 'needs a person: the upstream refused the credentials' },
};

/**
 * The event for one status write, given the status it replaced; undefined when the state did not
 * change. An absent previous status is unknown rather than ok: a first `ok` says nothing, a first
 * non-ok state is announced (once more after Redis lost the status, with `old_state: null`).
 */
export function providerStateEvent(
  provider: string,
  previous: Pick<ProviderStatus, 'state'> | undefined,
  current: Pick<ProviderStatus, 'state' | 'lastError'>,
  now = new Date(),
): ProviderStateEvent | undefined {
  const oldState = previous?.state ?? null;
  if (oldState === current.state || (oldState === null && current.state === 'ok')) return undefined;
  const { lastError } = current;
  const error = current.state !== 'ok' && lastError ? { code: lastError.code, message: shorten(lastError.message) } : null;
  return {
    id: randomUUID(),
    type: 'provider_state_changed',
    provider,
    old_state: oldState,
    new_state: current.state,
    error,
    at: now.toISOString(),
    text: slackText(provider, oldState, current.state, error),
  };
}

function slackText(provider: string, oldState: AlertState | null, newState: AlertState, error: ProviderStateEvent['error']): string {
  const { icon, says } = DESCRIPTIONS[newState];
  const was = oldState === null ? 'previous state unknown' : `was ${oldState}`;
  const why = error ? `\n\`${escapeSlack(error.code)}\` ${escapeSlack(error.message)}` : '';
  return `${icon} token-broker: *${escapeSlack(provider)}* ${says} (${was})${why}`;
}

/** Slack reads <, > and & as markup (links, mentions): the three escapes its docs require. */
function escapeSlack(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function shorten(message: string): string {
  return message.length <= MAX_MESSAGE_LENGTH ? message : `${message.slice(0, MAX_MESSAGE_LENGTH - 1)}…`;
}
