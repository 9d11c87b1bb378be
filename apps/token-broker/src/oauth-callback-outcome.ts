import type { Connected } from '@app/connect';
import { AuthorizationDeniedError, CodeExchangeFailedError, ConnectStateInvalidError } from '@app/errors';
import type { ConnectPageContent } from './connect-page';

const START_AGAIN = 'Start again from the status page (Connect or Reconnect beside the provider): each start is good once, for 10 minutes.';

export function callbackSuccess({ provider, tokenExpiresAt }: Connected): ConnectPageContent {
  const first =
    tokenExpiresAt === undefined
      ? 'The new refresh token is stored, but the first refresh has not succeeded yet: the status page shows why.'
      : `The new refresh token is stored, and the broker holds a token valid until ${new Date(tokenExpiresAt).toISOString().replace('T', ' ').slice(0, 19)} UTC.`;
  return {
    title: `${provider} is connected`,
    tone: 'ok',
    lines: [first, `Services get its tokens from \`GET /tokens/${provider}\` as before.`],
  };
}

/**
 * What went wrong and what to do, in the broker's words: never the code, the state or the
 * authorization server's error_description. `message` is the error's own, safe to show.
 */
export function callbackFailure(error: unknown, message: string): ConnectPageContent {
  if (error instanceof ConnectStateInvalidError) {
    return { title: 'This authorization cannot be finished', tone: 'failed', lines: [`${message}. Nothing was stored.`, START_AGAIN] };
  }
  if (error instanceof AuthorizationDeniedError) {
    const lines = [
      `${message}. Nothing was stored; the provider keeps its current state.`,
      `To connect it, start again and approve the access. ${START_AGAIN}`,
    ];
    return { title: `${error.provider} was not authorized`, tone: 'failed', lines };
  }
  if (error instanceof CodeExchangeFailedError) {
    const check =
      'Check the client (`client_id`, `client_secret`, `auth`), `tokenUrl`, and that the redirect URI registered for the client is exactly `PUBLIC_URL/oauth/callback`.';
    return { title: `Connecting ${error.provider} failed`, tone: 'failed', lines: [`${message}. Nothing was stored.`, check, START_AGAIN] };
  }
  return { title: 'The connect flow stopped', tone: 'failed', lines: [message, START_AGAIN] };
}
