import { createBrokerLogger } from './broker-logger';
import { RequestLineWriter } from './request-line-writer.service';

describe('RequestLineWriter', () => {
  function written(
    level: 'info' | 'warn',
    fields: Record<string, string | number | undefined>,
    loggerLevel: 'info' | 'warn' = 'info',
  ): string[] {
    const lines: string[] = [];
    const destination = { write: (line: string) => void lines.push(line) };
    new RequestLineWriter(createBrokerLogger(loggerLevel, destination), destination).write(level, fields);
    return lines;
  }

  it('writes the shape every other line has, fields in order, absent ones left out', () => {
    const [line] = written('info', { reqId: 'r-1', method: 'GET', status: 200, duration_ms: 0.4, caller: undefined });
    expect(line.endsWith('}\n')).toBe(true);
    expect(JSON.parse(line)).toEqual({
      level: 'info',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT[\d:.]+Z$/),
      context: 'Http',
      reqId: 'r-1',
      method: 'GET',
      status: 200,
      duration_ms: 0.4,
      msg: 'request',
    });
  });

  it('escapes string values, so no value can end the line or add a field', () => {
    const [line] = written('warn', { route: '"},{"level":"fatal"\n', caller: '\u0000\u2028' });
    expect(line.split('\n')).toHaveLength(2);
    expect(JSON.parse(line)).toMatchObject({ level: 'warn', route: '"},{"level":"fatal"\n', caller: '\u0000\u2028' });
  });

  it('writes every string back as it was given, plain ASCII or not', () => {
    const values = { a: 'plain ~ text/:id', b: 'back\\slash', c: 'del\u007f', d: 'café', e: '\ud800 lone', f: '' };
    expect(JSON.parse(written('info', values)[0])).toMatchObject(values);
  });

  it('masks a field whose name can carry a secret', () => {
    const line = written('info', { Authorization: 'Bearer s3cr3t-value', access_token: 's3cr3t-value' })[0];
    expect(line).not.toContain('s3cr3t-value');
    expect(JSON.parse(line)).toMatchObject({ Authorization: '[redacted]', access_token: '[redacted]' });
  });

  it('writes a number that is not finite as null, and nothing below the level', () => {
    expect(JSON.parse(written('info', { duration_ms: Number.NaN })[0])).toMatchObject({ duration_ms: null });
    expect(written('info', { status: 200 }, 'warn')).toEqual([]);
    expect(written('warn', { status: 503 }, 'warn')).toHaveLength(1);
  });
});
