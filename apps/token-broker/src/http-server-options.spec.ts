import { connect } from 'node:net';
import { startBroker, type BrokerHarness } from '../../../test/support/broker-harness';

/** What the broker answers on a fresh connection to `raw`, as text, once it closes the connection. */
function exchange(url: string, raw: string): Promise<string> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host: '127.0.0.1', port: Number(port) }, () => socket.write(raw));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.setTimeout(5_000, () => socket.destroy());
  });
}

/** Refusals Node or a Fastify plugin would write in their own shape (found by the fuzz run, issue 16). */
describe('HTTP edge refusals', () => {
  let broker: BrokerHarness;

  beforeAll(async () => {
    broker = await startBroker({ providersYaml: 'providers:\n' });
  });

  afterAll(() => broker.close());

  it.each([
    ['an HTTP/1.1 request without Host', 'GET /health/live HTTP/1.1\r\nConnection: close\r\n\r\n', 400, 'invalid_request'],
    [
      'an Expect other than 100-continue',
      'PUT /admin/credentials/x HTTP/1.1\r\nHost: b\r\nContent-Type: application/json\r\nContent-Length: 2\r\nExpect: something-else\r\n\r\n{}',
      417,
      'expectation_failed',
    ],
    [
      'a docs path out of its folder',
      'GET /docs/%2e%2e/%2e%2e/package.json HTTP/1.1\r\nHost: b\r\nConnection: close\r\n\r\n',
      403,
      'forbidden',
    ],
  ])('answers %s in the {"error","message"} shape', async (_case, raw, status, code) => {
    const answer = await exchange(broker.url, raw);
    const [head, body] = answer.split('\r\n\r\n');
    expect(head.split('\r\n')[0]).toMatch(new RegExp(`^HTTP/1.1 ${status} `));
    expect(head.toLowerCase()).toContain('content-type: application/json');
    expect(JSON.parse(body)).toEqual({ error: code, message: expect.any(String) });
  });

  it('never answers an unparsable request ahead of the answer owed to an earlier one on the connection', async () => {
    // both in one write: Node parses the second while the first is still being answered
    const answer = await exchange(broker.url, 'GET /health/ready HTTP/1.1\r\nHost: b\r\n\r\nFUZZ / HTTP/1.1\r\nHost: b\r\n\r\n');
    expect(answer).not.toMatch(/^HTTP\/1.1 400 /);
  });

  it('still serves HTTP/1.0 without Host', async () => {
    const answer = await exchange(broker.url, 'GET /health/live HTTP/1.0\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1.1 200 /);
  });
});
