import { createBrokerLogger } from './broker-logger';
import { StructuredLogger } from './structured-logger.service';

/** Nest calls its logger in a few shapes; each must come out as one JSON line with the context apart. */
describe('StructuredLogger', () => {
  function linesOf(call: (logger: StructuredLogger) => void, level: 'debug' | 'info' = 'info'): Array<Record<string, unknown>> {
    const lines: string[] = [];
    call(new StructuredLogger(createBrokerLogger(level, { write: (line: string) => void lines.push(line) })));
    return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  it('puts a message and its context in their own fields', () => {
    expect(linesOf((logger) => logger.log('started', 'Main'))).toEqual([
      { level: 'info', time: expect.any(String), context: 'Main', msg: 'started' },
    ]);
  });

  it('merges an object message into the line', () => {
    expect(linesOf((logger) => logger.warn({ provider: 'sd', outcome: 'failed' }, 'Refresh'))).toEqual([
      { level: 'warn', time: expect.any(String), context: 'Refresh', provider: 'sd', outcome: 'failed' },
    ]);
  });

  it("keeps the stack trace Nest's exception handler passes in the place of a context", () => {
    const [line] = linesOf((logger) => logger.error('boom', 'Error: boom\n    at somewhere (file.js:1:1)', 'ExceptionsHandler'));
    expect(line).toMatchObject({
      level: 'error',
      context: 'ExceptionsHandler',
      msg: 'boom',
      err: { stack: expect.stringContaining('at somewhere') },
    });
  });

  it('serializes an Error message with its type and stack', () => {
    const [line] = linesOf((logger) => logger.error(new TypeError('bad'), 'Spec'));
    expect(line).toMatchObject({ level: 'error', context: 'Spec', msg: 'bad', err: { type: 'TypeError', message: 'bad' } });
  });

  it('drops calls below its level and maps verbose to trace', () => {
    expect(linesOf((logger) => [logger.verbose('v', 'C'), logger.debug('d', 'C')], 'debug').map((line) => line.msg)).toEqual(['d']);
  });
});
