/**
 * Base of every error the broker's domain code throws. The HTTP edge maps `code` to a status;
 * `message` must be safe to show a caller: it never contains a secret or an upstream body.
 */
export abstract class BrokerError extends Error {
  abstract readonly code: string;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}
