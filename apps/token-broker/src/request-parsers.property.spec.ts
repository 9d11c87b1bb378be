import { InvalidRequestError } from '@app/errors';
import { FuzzRandom, fuzzSeed } from '../../../test/support/fuzz-random';
import { readBearerCredential } from './bearer-credential';
import { parseProviderId } from './provider-id';

const RUNS = 5_000;
const VISIBLE_ASCII = Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) => String.fromCharCode(0x21 + i)).join('');
/** Every Latin-1 character: what Node hands over for header bytes, controls and obs-text included. */
const LATIN1 = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join('');

/** What `parse` throws, or undefined when it returns. */
function thrown(parse: () => unknown): unknown {
  try {
    parse();
    return undefined;
  } catch (error) {
    return error;
  }
}

/**
 * Properties of the parsers every request goes through, over random input from a seeded generator
 * (FUZZ_SEED replays a run; the seed is in each test's name).
 */
describe('request parsers', () => {
  const seed = fuzzSeed();
  const rng = new FuzzRandom(seed);
  const request = (...values: string[]) => ({
    headers: { authorization: values[0] },
    raw: { rawHeaders: values.flatMap((value, i) => [i % 2 ? 'AUTHORIZATION' : 'Authorization', value]) },
  });

  it(`reads back the credential of any well-formed Bearer header, whatever the scheme's case and spacing (seed ${seed})`, () => {
    const random = rng.fork('bearer-valid');
    const misread: string[] = [];
    for (let i = 0; i < RUNS; i += 1) {
      const scheme = [...'bearer'].map((char) => (random.chance(0.5) ? char.toUpperCase() : char)).join('');
      const credential = random.string(random.int(1, random.chance(0.1) ? 1024 : 64), VISIBLE_ASCII);
      const header = `${scheme}${' '.repeat(random.int(1, 4))}${credential}`;
      if (readBearerCredential(request(header)) !== credential) misread.push(header.slice(0, 80));
    }
    expect(misread).toEqual([]);
  });

  it(`finds no credential, or only visible ASCII the header ends with, in any single header (seed ${seed})`, () => {
    const random = rng.fork('bearer-any');
    const wrong: string[] = [];
    for (let i = 0; i < RUNS; i += 1) {
      const prefix = random.pick(['', 'Bearer ', 'bearer  ', 'Basic ', 'Bearer\t', ' Bearer ']);
      const header = prefix + random.string(random.int(0, random.chance(0.05) ? 2_000 : 60), random.chance(0.5) ? LATIN1 : VISIBLE_ASCII);
      const credential = readBearerCredential(request(header));
      if (credential === undefined) continue;
      const wellFormed = /^[\x21-\x7e]{1,1024}$/.test(credential) && header.endsWith(credential) && /^bearer +/i.test(header);
      if (!wellFormed) wrong.push(JSON.stringify(header.slice(0, 80)));
    }
    expect(wrong).toEqual([]);
  });

  it(`refuses two or more Authorization headers, whatever they hold (seed ${seed})`, () => {
    const random = rng.fork('bearer-duplicate');
    const accepted: string[] = [];
    for (let i = 0; i < RUNS; i += 1) {
      const values = Array.from({ length: random.int(2, 4) }, () => `Bearer ${random.string(random.int(0, 40), VISIBLE_ASCII)}`);
      if (!(thrown(() => readBearerCredential(request(...values))) instanceof InvalidRequestError)) accepted.push(values.join(' | '));
    }
    expect(accepted).toEqual([]);
  });

  it(`accepts exactly the ids a provider can have, and never repeats a refused one (seed ${seed})`, () => {
    const random = rng.fork('provider-id');
    const idAlphabet = 'abcdefghijklmnopqrstuvwxyz0123456789-_';
    const refusal = 'Provider id must be 1-63 characters: lowercase letters, digits, "-" and "_"';
    const wrong: string[] = [];
    for (let i = 0; i < RUNS; i += 1) {
      const id = random.weighted<() => string>([
        [3, () => random.string(1, 'abcdefghijklmnopqrstuvwxyz0123456789') + random.string(random.int(0, 62), idAlphabet)],
        [3, () => random.string(random.int(0, 80), `${idAlphabet}ABCZ./%\u0000 é`)],
        [1, () => random.string(random.int(0, 20), LATIN1)],
      ])();
      const error = thrown(() => parseProviderId(id));
      const valid = /^[a-z0-9][a-z0-9_-]{0,62}$/.test(id);
      const right = valid ? error === undefined : error instanceof InvalidRequestError && error.message === refusal;
      if (!right) wrong.push(JSON.stringify(id));
    }
    expect(wrong).toEqual([]);
  });
});
