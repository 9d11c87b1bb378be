import { parseRetryAfter } from './retry-after';

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-05-01T12:00:00Z');

  it.each([
    ['1', 1],
    [' 30 ', 30],
    ['0', 0],
    ['Fri, 01 May 2026 12:00:42 GMT', 42],
    ['Fri, 01 May 2026 12:00:41 GMT', 41],
    ['Fri, 01 May 2026 11:59:00 GMT', 0],
  ])('reads %p as %p seconds', (header, seconds) => {
    expect(parseRetryAfter(header, now)).toBe(seconds);
  });

  it.each([[null], [''], ['-1'], ['1.5'], ['soon'], ['2026-05-01T12:00:42Z'], ['99999999999']])('ignores %p', (header) => {
    expect(parseRetryAfter(header, now)).toBeUndefined();
  });
});
