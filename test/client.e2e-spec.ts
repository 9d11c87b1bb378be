import request from 'supertest';
import { OAuth2ClientCredentialsSimulator, SmartDocumentorSimulator } from '@app/providers/testing';
import { TokenBrokerClient, TokenBrokerError } from '@token-broker/client';
import { BrokerHarness, CALLER_KEY, putCredentials, startBroker } from './support/broker-harness';
import { TEST_SECRETS } from './support/test-secrets';
import { waitFor } from './support/wait-for';

const DEMO = { clientId: 'demo-client', clientSecret: TEST_SECRETS.clientSecret };
const CREDS = { client_id: DEMO.clientId, client_secret: DEMO.clientSecret };
/**
 * Short enough to watch a renewal. The broker pre-refreshes `smartdocumentor` at half its life, well
 * before the client asks again at 10% left: at the default 20% a scheduler a second late under load
 * still handed out the old token then, and the client asked a third time.
 */
const LIFETIME_SECONDS = 10;

/** The client from libs/client against the real broker app (embedded mode) and its upstream simulators. */
describe('TokenBrokerClient against a real broker', () => {
  const smart = new SmartDocumentorSimulator(DEMO, { tokenLifetimeSeconds: LIFETIME_SECONDS });
  const recovering = new OAuth2ClientCredentialsSimulator(DEMO);
  const down = new OAuth2ClientCredentialsSimulator(DEMO);
  let broker: BrokerHarness;

  beforeAll(async () => {
    await Promise.all([smart.start(), recovering.start(), down.start()]);
    broker = await startBroker({
      providersYaml: `
providers:
  smartdocumentor: { type: smartdocumentor, baseUrl: "${smart.url}", refreshBefore: 50% }
  recovering: { type: oauth2-client-credentials, tokenUrl: "${recovering.url}/oauth/token" }
  down: { type: oauth2-client-credentials, tokenUrl: "${down.url}/oauth/token" }
`,
    });
    await putCredentials(broker, 'smartdocumentor', CREDS);
  });

  afterAll(async () => {
    await broker?.close();
    await Promise.all([smart.stop(), recovering.stop(), down.stop()]);
  });

  /** Credentials stored while the upstream answers 503 (Retry-After: 1): the broker starts backing off from its first failure. */
  async function storeWhileUpstreamDown(provider: string, simulator: OAuth2ClientCredentialsSimulator): Promise<void> {
    simulator.fault = { mode: 'status', status: 503, retryAfterSeconds: 1 };
    await putCredentials(broker, provider, CREDS);
  }

  /** How the broker answered GET /tokens/:provider for one provider, by status, from its own metrics. */
  async function brokerAnswers(provider: string): Promise<Record<string, number>> {
    const { text } = await request(broker.url).get('/metrics').expect(200);
    const series = `token_broker_http_requests_total\\{route="/tokens/:provider",provider="${provider}",status="(\\d+)"\\}`;
    const pattern = new RegExp(`^${series} (\\d+)$`, 'gm');
    return Object.fromEntries([...text.matchAll(pattern)].map(([, status, count]) => [status, Number(count)]));
  }

  it('asks the broker once per token lifetime while many callers ask it concurrently all the time', async () => {
    const client = new TokenBrokerClient({ url: broker.url, callerKey: CALLER_KEY });
    const first = await client.token('smartdocumentor');
    const seen = new Set([first.accessToken]);
    let calls = 1;
    // just past the first token's expiry: its renewal, and not yet its successor's
    const until = first.expiresAt.getTime() + 1000;
    while (Date.now() < until) {
      const tokens = await Promise.all([...Array(50)].map(() => client.token('smartdocumentor')));
      const receivedAt = Date.now();
      for (const token of tokens) {
        expect(smart.tokens.isValid(token.accessToken, receivedAt)).toBe(true);
        expect(token.expiresAt.getTime()).toBeGreaterThan(receivedAt);
        seen.add(token.accessToken);
      }
      calls += tokens.length;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    // the first token, then its successor shortly before it expired: two lifetimes, two requests
    expect(seen.size).toBe(2);
    await waitFor(async () => ((await brokerAnswers('smartdocumentor'))['200'] ?? 0) >= 2);
    expect(await brokerAnswers('smartdocumentor')).toEqual({ '200': 2 });
    expect(calls).toBeGreaterThan(1000);
  }, 30_000);

  it('waits out the broker 503 Retry-After and gets the token once the upstream is back', async () => {
    const client = new TokenBrokerClient({ url: broker.url, callerKey: CALLER_KEY, maxAttempts: 5, maxRetryWaitMs: 15_000 });
    await storeWhileUpstreamDown('recovering', recovering);
    const started = Date.now();
    const token = client.token('recovering');
    await waitFor(async () => ((await brokerAnswers('recovering'))['503'] ?? 0) >= 1);
    recovering.fault = { mode: 'none' };
    const { accessToken } = await token;
    expect(recovering.tokens.isValid(accessToken)).toBe(true);
    // one 503 (Retry-After: 1), a wait of at least that second, then the token; ignoring Retry-After would spend every attempt at once
    expect(Date.now() - started).toBeGreaterThanOrEqual(990);
    const answers = await brokerAnswers('recovering');
    expect(answers['200']).toBe(1);
    expect(answers['503']).toBeLessThanOrEqual(2);
  }, 30_000);

  it('gives up after maxAttempts with the broker 503 upstream_unavailable and its Retry-After', async () => {
    const client = new TokenBrokerClient({ url: broker.url, callerKey: CALLER_KEY, maxAttempts: 3, maxRetryWaitMs: 20_000 });
    await storeWhileUpstreamDown('down', down);
    const started = Date.now();
    const error = await client.token('down').then(
      () => undefined,
      (reason: unknown) => reason as TokenBrokerError,
    );
    expect(error).toBeInstanceOf(TokenBrokerError);
    expect(error).toMatchObject({ provider: 'down', status: 503, code: 'upstream_unavailable', attempts: 3 });
    expect(error!.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1990);
    await waitFor(async () => (await brokerAnswers('down'))['503'] === 3);
    expect(`${error!.message} ${error!.stack} ${JSON.stringify(error)}`).not.toContain(CALLER_KEY);
  }, 30_000);

  it('throws the broker 401 for an unknown caller key at once', async () => {
    const client = new TokenBrokerClient({ url: broker.url, callerKey: TEST_SECRETS.wrongSecret });
    await expect(client.token('smartdocumentor')).rejects.toMatchObject({
      name: 'TokenBrokerError',
      status: 401,
      code: 'unauthorized',
      attempts: 1,
    });
  });
});
