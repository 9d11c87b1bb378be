const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "in 42 min", "3 min ago", "now": how far `at` is from `now`, at the precision a person needs. */
export function relativeTime(at: number, now: number): string {
  const distance = at - now;
  if (Math.abs(distance) < SECOND) return 'now';
  const span = duration(Math.abs(distance));
  return distance > 0 ? `in ${span}` : `${span} ago`;
}

/** A length of time in its two largest units, rounded down: "12 s", "42 min", "3 h 5 min", "2 d 4 h". */
export function duration(ms: number): string {
  if (ms < MINUTE) return `${Math.floor(ms / SECOND)} s`;
  if (ms < HOUR) return `${Math.floor(ms / MINUTE)} min`;
  if (ms < DAY) return pair(ms, HOUR, 'h', MINUTE, 'min');
  return pair(ms, DAY, 'd', HOUR, 'h');
}

/** The absolute time for a tooltip: "2030-01-02 03:04:05 UTC". */
export function absoluteTime(at: number): string {
  return `${new Date(at).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

function pair(ms: number, big: number, bigUnit: string, small: number, smallUnit: string): string {
  const rest = Math.floor((ms % big) / small);
  return rest ? `${Math.floor(ms / big)} ${bigUnit} ${rest} ${smallUnit}` : `${Math.floor(ms / big)} ${bigUnit}`;
}
