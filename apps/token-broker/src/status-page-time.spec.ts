import { absoluteTime, duration, relativeTime } from './status-page-time';

const NOW = Date.parse('2030-01-02T03:04:05.000Z');
const s = 1_000;
const min = 60 * s;
const h = 60 * min;
const d = 24 * h;

describe('relativeTime', () => {
  it.each<[number, string]>([
    [0, 'now'],
    [999, 'now'],
    [-999, 'now'],
    [s, 'in 1 s'],
    [-12 * s, '12 s ago'],
    [59 * s + 999, 'in 59 s'],
    [min, 'in 1 min'],
    [42 * min + 59 * s, 'in 42 min'],
    [-3 * min, '3 min ago'],
    [59 * min + 59 * s, 'in 59 min'],
    [h, 'in 1 h'],
    [3 * h + 5 * min + 30 * s, 'in 3 h 5 min'],
    [-(23 * h + 59 * min), '23 h 59 min ago'],
    [d, 'in 1 d'],
    [2 * d + 4 * h + 59 * min, 'in 2 d 4 h'],
    [-400 * d, '400 d ago'],
  ])('%i ms from now -> %s', (offset, expected) => {
    expect(relativeTime(NOW + offset, NOW)).toBe(expected);
  });
});

describe('duration', () => {
  it('rounds down to its two largest units, dropping a zero second unit', () => {
    expect([0, 61 * s, 2 * h, 2 * h + 30 * s, 26 * h + 59 * min].map(duration)).toEqual(['0 s', '1 min', '2 h', '2 h', '1 d 2 h']);
  });
});

describe('absoluteTime', () => {
  it('is UTC to the second, spelled out', () => {
    expect(absoluteTime(NOW + 999)).toBe('2030-01-02 03:04:05 UTC');
  });
});
