import { Logger } from '@nestjs/common';
import Fastify, { type FastifyInstance } from 'fastify';
import { BrokerError } from '@app/errors';
import { sendError } from './error-response';

class UnmappedError extends BrokerError {
  readonly code = 'not_in_the_table';
}

/** A 500's log line names the request, whose id the caller got in x-request-id: the two are found together. */
describe('sendError for a 500', () => {
  let app: FastifyInstance;
  let requestId: string;
  let thrown: unknown;

  beforeAll(async () => {
    app = Fastify();
    app.get('/fail', (request, reply) => ((requestId = request.id), sendError(reply, thrown)));
    await app.ready();
  });
  afterAll(() => app.close());

  it('logs an unexpected error with the request id and its stack, and answers without them', async () => {
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    thrown = new TypeError('cannot read x of undefined');
    const answer = await app.inject({ method: 'GET', url: '/fail' });
    expect(answer.json()).toEqual({ error: 'internal_error', message: 'Internal error; see the broker logs' });
    expect(logged).toHaveBeenCalledTimes(1);
    const [line] = logged.mock.calls[0] as [{ msg: string; reqId: string; err: Error }];
    expect(line).toMatchObject({ msg: 'Unhandled TypeError', reqId: requestId });
    expect(line.err.stack).toBe((thrown as Error).stack);
  });

  it('logs a domain error without a status of its own with the request id', async () => {
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    thrown = new UnmappedError('a code without a status');
    const answer = await app.inject({ method: 'GET', url: '/fail' });
    expect(answer.statusCode).toBe(500);
    expect(logged).toHaveBeenCalledWith({ msg: 'UnmappedError: a code without a status', reqId: requestId });
  });

  afterEach(() => jest.restoreAllMocks());
});
