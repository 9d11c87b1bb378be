import { BatchingDestination, createBrokerLogger } from './broker-logger';

/** Redaction is the net under "never log a secret": every shape a secret could arrive in is masked. */
describe('createBrokerLogger', () => {
  function logOnce(fields: Record<string, unknown>): Record<string, unknown> {
    const lines: string[] = [];
    createBrokerLogger('info', { write: (line: string) => void lines.push(line) }).info(fields, 'test');
    expect(lines).toHaveLength(1);
    return JSON.parse(lines[0]) as Record<string, unknown>;
  }

  it.each([
    ['a caller or admin bearer header', { req: { headers: { authorization: 'Bearer s3cr3t-value' } } }],
    ["Passportal's signed headers", { headers: { 'x-hash': 's3cr3t-value', 'x-key': 's3cr3t-value' } }],
    ['an OAuth2 form body', { body: { client_secret: 's3cr3t-value', refresh_token: 's3cr3t-value' } }],
    ['a token response', { response: { access_token: 's3cr3t-value', b64token: 's3cr3t-value' } }],
    ['API keys and passwords at the top level', { api_key: 's3cr3t-value', secret_key: 's3cr3t-value', password: 's3cr3t-value' }],
    ['a credential record', { record: { values: { anything: 's3cr3t-value' } } }],
    ['a Vault AppRole login', { login: { body: { secret_id: 's3cr3t-value' } } }],
  ])('masks %s', (_shape, fields) => {
    const line = JSON.stringify(logOnce(fields));
    expect(line).not.toContain('s3cr3t-value');
    expect(line).toContain('[redacted]');
  });

  it('keeps ordinary fields, the level as a word and an ISO time', () => {
    expect(logOnce({ provider: 'sd', outcome: 'ok' })).toEqual({
      level: 'info',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      provider: 'sd',
      outcome: 'ok',
      msg: 'test',
    });
  });

  it('drops lines below its level', () => {
    const lines: string[] = [];
    const logger = createBrokerLogger('warn', { write: (line: string) => void lines.push(line) });
    logger.info('quiet');
    logger.warn('loud');
    expect(lines.map((line) => JSON.parse(line).msg)).toEqual(['loud']);
  });
});

describe('createBrokerLogger time', () => {
  afterEach(() => jest.useRealTimers());

  it('stamps each line with the current time, also when lines share a millisecond', () => {
    jest.useFakeTimers({ now: Date.parse('2026-01-02T03:04:05.006Z') });
    const lines: string[] = [];
    const logger = createBrokerLogger('info', { write: (line: string) => void lines.push(line) });
    logger.info('first');
    logger.info('same millisecond');
    jest.setSystemTime(Date.parse('2026-01-02T03:04:05.007Z'));
    logger.info('next millisecond');
    expect(lines.map((line) => (JSON.parse(line) as { time: string }).time)).toEqual([
      '2026-01-02T03:04:05.006Z',
      '2026-01-02T03:04:05.006Z',
      '2026-01-02T03:04:05.007Z',
    ]);
  });
});

describe('BatchingDestination', () => {
  afterEach(() => jest.useRealTimers());

  function target(): { writes: string[]; flushed: number; write(s: string): void; flushSync(): void } {
    return {
      writes: [],
      flushed: 0,
      write(s: string) {
        this.writes.push(s);
      },
      flushSync() {
        this.flushed += 1;
      },
    };
  }

  it('passes lines on as one write, in order, 20 ms after the first', () => {
    jest.useFakeTimers();
    const out = target();
    const destination = new BatchingDestination(out);
    destination.write('a\n');
    jest.advanceTimersByTime(10);
    destination.write('b\n');
    jest.advanceTimersByTime(9);
    expect(out.writes).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(out.writes).toEqual(['a\nb\n']);
    destination.write('c\n');
    jest.advanceTimersByTime(20);
    expect(out.writes).toEqual(['a\nb\n', 'c\n']);
  });

  it('writes at once when 64 KiB wait', () => {
    jest.useFakeTimers();
    const out = target();
    const destination = new BatchingDestination(out);
    const line = `${'x'.repeat(1023)}\n`;
    for (let i = 0; i < 64; i += 1) destination.write(line);
    expect(out.writes).toEqual([line.repeat(64)]);
  });

  it('passes on what it holds before a line that would not fit, and keeps the order', () => {
    jest.useFakeTimers();
    const out = target();
    const destination = new BatchingDestination(out);
    const held = `${'x'.repeat(60 * 1024)}\n`;
    // 2 bytes of UTF-8 per character: 3 KiB of characters, 6 KiB of bytes, more than what is left
    const wide = `${'é'.repeat(3 * 1024)}\n`;
    destination.write(held);
    destination.write(wide);
    expect(out.writes).toEqual([held]);
    jest.advanceTimersByTime(20);
    expect(out.writes).toEqual([held, wide]);
  });

  it('writes a line longer than a whole batch through, after the lines before it', () => {
    jest.useFakeTimers();
    const out = target();
    const destination = new BatchingDestination(out);
    const long = `${'y'.repeat(70 * 1024)}\n`;
    destination.write('before\n');
    destination.write(long);
    destination.write('after\n');
    expect(out.writes).toEqual(['before\n', long]);
    jest.advanceTimersByTime(20);
    expect(out.writes).toEqual(['before\n', long, 'after\n']);
  });

  it('hands over what it holds and flushes the target when flushed synchronously', () => {
    const out = target();
    const destination = new BatchingDestination(out);
    destination.write('last words\n');
    destination.flushSync();
    expect(out).toMatchObject({ writes: ['last words\n'], flushed: 1 });
  });

  it('writes every later line through at once: the process is stopping', () => {
    jest.useFakeTimers();
    const out = target();
    const destination = new BatchingDestination(out);
    destination.flushSync();
    destination.write('answered during shutdown\n');
    expect(out).toMatchObject({ writes: ['answered during shutdown\n'], flushed: 1 });
  });
});
