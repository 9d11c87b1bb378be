import { existsSync } from 'node:fs';

/** Where Debian, Ubuntu and Google's packages put the browser, in the order they are tried. */
export const CHROMIUM_CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome-stable',
  '/usr/bin/google-chrome',
  '/snap/bin/chromium',
];

export type ChromiumLookup = { path: string; reason?: undefined } | { path?: undefined; reason: string };

/**
 * The headless browser for the status-page test: CHROMIUM_PATH when set (a wrong path is an error,
 * not a skip), else the first of the usual install locations.
 */
export function findChromium(env: Record<string, string | undefined>, exists: (path: string) => boolean = existsSync): ChromiumLookup {
  const given = env.CHROMIUM_PATH;
  if (given) {
    if (!exists(given)) throw new Error(`CHROMIUM_PATH=${given} does not exist`);
    return { path: given };
  }
  const found = CHROMIUM_CANDIDATES.find(exists);
  if (found) return { path: found };
  return { reason: `no Chromium at ${CHROMIUM_CANDIDATES.join(', ')}; install it (apt-get install -y chromium) or set CHROMIUM_PATH` };
}
