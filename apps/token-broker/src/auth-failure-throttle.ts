import { Injectable } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { TooManyFailedAuthenticationsError } from '@app/errors';

/** Wrong credentials an address may send before it is slowed down: typos, a key rotation under way. */
const FREE_FAILURES = 10;
/** An address's failures are forgotten after this long without a new one. */
const QUIET_MS = 60_000;
/** Each failure past the free ones waits twice as long as the one before, up to the maximum. */
const FIRST_DELAY_MS = 250;
const MAX_DELAY_MS = 4_000;
/** Delayed answers held open at once (each holds a socket); past this, the 429 goes out at once. */
const MAX_HELD_ANSWERS = 256;
/** Addresses remembered; the one that failed longest ago is forgotten first. */
const MAX_TRACKED_ADDRESSES = 10_000;

/**
 * Slows down whoever keeps presenting wrong caller keys or admin tokens, per client address. Only
 * failures are slowed: a right credential is checked and served at once, even from an address that
 * is being slowed (a caller behind the same proxy as a misconfigured one must not suffer). So a
 * guesser that waits for its answers gets a few guesses a second at most; the keys' length is what
 * makes guessing hopeless, this keeps it from being cheap and noisy.
 */
@Injectable()
export class AuthFailureThrottle {
  private readonly failures = new Map<string, { count: number; lastAt: number }>();
  private held = 0;

  /** Records a wrong credential. Returns at once for the first few; later ones wait, then throw a 429. */
  async failed(address: string): Promise<void> {
    const now = Date.now();
    const previous = this.failures.get(address);
    const count = previous && now - previous.lastAt < QUIET_MS ? previous.count + 1 : 1;
    // re-inserted so the map's first entry is always the address that failed longest ago
    this.failures.delete(address);
    if (this.failures.size >= MAX_TRACKED_ADDRESSES) this.failures.delete(this.failures.keys().next().value!);
    this.failures.set(address, { count, lastAt: now });
    if (count <= FREE_FAILURES) return;
    if (this.held < MAX_HELD_ANSWERS) {
      this.held += 1;
      try {
        await sleep(Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** (count - FREE_FAILURES - 1)));
      } finally {
        this.held -= 1;
      }
    }
    throw new TooManyFailedAuthenticationsError(QUIET_MS / 1000);
  }
}
