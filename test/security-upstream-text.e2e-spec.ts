import request from 'supertest';
import { SmartDocumentorSimulator } from '@app/providers/testing';
import { BrokerHarness, getToken, putCredentials, startBroker } from './support/broker-harness';
import { TEST_SECRETS } from './support/test-secrets';
import { waitFor } from './support/wait-for';

const DEMO = { clientId: 'demo-client', clientSecret: TEST_SECRETS.clientSecret };
/** What a careless upstream puts in its error body: free text with a secret in it. */
const UPSTREAM_TEXT = `bad secret ${TEST_SECRETS.wrongSecret} for demo-client`;
const VOCABULARY =
  /^(invalid_request|invalid_client|invalid_grant|unauthorized_client|unsupported_grant_type|invalid_scope|temporarily_unavailable|http_\d{3}|timeout|network_error|malformed_response)$/;

/** Only a fixed vocabulary of upstream-derived codes leaves the broker; upstream text never does. */
describe('upstream error text', () => {
  const refusing = new SmartDocumentorSimulator(DEMO);
  const failing = new SmartDocumentorSimulator(DEMO);
  const lines: string[] = [];
  let broker: BrokerHarness;

  beforeAll(async () => {
    await Promise.all([refusing.start(), failing.start()]);
    refusing.fault = { mode: 'status', status: 400, body: { error: UPSTREAM_TEXT, error_description: UPSTREAM_TEXT } };
    failing.fault = { mode: 'status', status: 503, body: { error: UPSTREAM_TEXT, message: UPSTREAM_TEXT } };
    broker = await startBroker({
      providersYaml: `providers:\n  refused: { type: smartdocumentor, baseUrl: "${refusing.url}" }\n  down: { type: smartdocumentor, baseUrl: "${failing.url}" }\n`,
      // kept in memory for the assertions, and passed on so the run's teardown checks them too
      logDestination: {
        write: (line: string) => {
          lines.push(line);
          process.stdout.write(line);
        },
      },
    });
    await putCredentials(broker, 'refused', { client_id: DEMO.clientId, client_secret: DEMO.clientSecret });
    await putCredentials(broker, 'down', { client_id: DEMO.clientId, client_secret: DEMO.clientSecret });
    await waitFor(async () => {
      const providers = (await request(broker.url).get('/providers').expect(200)).body as { last_error: unknown }[];
      return providers.every((p) => p.last_error);
    });
  });

  afterAll(async () => {
    await broker?.close();
    await Promise.all([refusing.stop(), failing.stop()]);
  });

  it('answers callers 503 without the upstream text', async () => {
    for (const provider of ['refused', 'down']) {
      const res = await getToken(broker, provider).expect(503);
      expect(res.text).not.toContain('bad secret');
      expect(res.text).not.toContain(TEST_SECRETS.wrongSecret);
    }
  });

  it('shows only vocabulary codes in /providers and the status page', async () => {
    const providers = (await request(broker.url).get('/providers').expect(200)).body as {
      provider: string;
      last_error: { code: string };
    }[];
    expect(providers.map((p) => [p.provider, p.last_error.code])).toEqual([
      ['refused', 'http_400'],
      ['down', 'http_503'],
    ]);
    for (const p of providers) expect(p.last_error.code).toMatch(VOCABULARY);
    const texts = [
      JSON.stringify(providers),
      (await request(broker.url).get('/providers/refused').expect(200)).text,
      (await request(broker.url).get('/').expect(200)).text,
    ];
    for (const text of texts) {
      expect(text).not.toContain('bad secret');
      expect(text).not.toContain(TEST_SECRETS.wrongSecret);
    }
  });

  it('never logs the upstream text', () => {
    expect(lines.some((line) => line.includes('"reason":"http_400"'))).toBe(true);
    expect(lines.filter((line) => line.includes('bad secret')).length).toBe(0);
  });
});
