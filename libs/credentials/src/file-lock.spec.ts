import { ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { CredentialStoreUnavailableError } from '@app/errors';
import { EncryptedFileCredentialStore } from './encrypted-file-credential-store';
import { withFileLock } from './file-lock';
import { COUNTER_PROVIDER, incrementConcurrently, Tally } from './file-lock.fixture';
import { SecretBox } from './secret-box';

const REPO_ROOT = join(__dirname, '../../..');
const WORKERS_PER_PROCESS = 100;
const ROUNDS = 3;
const ROUND_MS = 400;

const newFile = () => join(mkdtempSync(join(tmpdir(), 'tb-lock-')), 'credentials.enc');
const aMinuteAgo = () => new Date(Date.now() - 60_000);

/** The fixture in a child `node` (through ts-node, as the spec itself runs): another broker process on this host. */
function startFixture(...args: string[]): ChildProcess & { nextLine: () => Promise<string | undefined> } {
  const script = join(__dirname, 'file-lock.fixture.ts');
  const child = spawn(process.execPath, ['-r', 'ts-node/register', '-r', 'tsconfig-paths/register', script, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, TS_NODE_TRANSPILE_ONLY: '1' },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return Object.assign(child, { nextLine: async () => (await lines.next()).value as string | undefined });
}

describe('withFileLock', () => {
  const counterFile = newFile();
  const key = randomBytes(32);
  let incrementer: ReturnType<typeof startFixture>;
  /** The text of a lock file whose owner was SIGKILLed while holding it, as a crash in the middle of a write leaves it. */
  let deadOwnersLock: Buffer;

  beforeAll(async () => {
    const holderFile = newFile();
    const holder = startFixture('hold', holderFile);
    incrementer = startFixture('increment', counterFile, key.toString('hex'), String(WORKERS_PER_PROCESS), String(ROUND_MS));
    expect(await holder.nextLine()).toBe('held');
    await new Promise((resolve) => {
      holder.once('exit', resolve);
      holder.kill('SIGKILL');
    });
    deadOwnersLock = readFileSync(`${holderFile}.lock`);
    expect(await incrementer.nextLine()).toBe('ready');
  });

  afterAll(() => incrementer.kill('SIGKILL'));

  it('loses no write when many writers in two processes meet a lock left by a killed process', async () => {
    const store = new EncryptedFileCredentialStore(counterFile, new SecretBox(key));
    await store.createEmpty(); // a missing file is a lost store: start it as a first start would
    let succeeded = 0;
    for (let round = 0; round < ROUNDS; round += 1) {
      writeFileSync(`${counterFile}.lock`, deadOwnersLock, { flag: 'wx' });
      const startAt = Date.now() + 100;
      incrementer.stdin!.write(`${startAt}\n`);
      const [here, there] = await Promise.all([
        incrementConcurrently(store, WORKERS_PER_PROCESS, startAt, ROUND_MS),
        incrementer.nextLine().then((line) => JSON.parse(line ?? 'null') as Tally),
      ]);
      expect(here.succeeded).toBeGreaterThan(0);
      expect(there.succeeded).toBeGreaterThan(0);
      succeeded += here.succeeded + there.succeeded;
    }

    expect((await store.get(COUNTER_PROVIDER))?.version).toBe(succeeded);
    expect(readdirSync(join(counterFile, '..'))).toEqual(['credentials.enc']);
  });

  it("takes over a dead owner's lock even when a waiter died while holding its claim on it", async () => {
    const file = newFile();
    writeFileSync(`${file}.lock`, deadOwnersLock);
    const claim = `${file}.lock.${createHash('sha256').update(`${file}.lock\n${deadOwnersLock.toString()}`).digest('hex').slice(0, 32)}.claim`;
    writeFileSync(claim, deadOwnersLock); // the claim's owner is as dead as the lock's
    await expect(withFileLock(file, async () => 'written')).resolves.toBe('written');
    expect(readdirSync(join(file, '..'))).toEqual([]);
  });

  it('leaves alone a lock that was taken from it while it held it', async () => {
    const file = newFile();
    const lockPath = `${file}.lock`;
    await withFileLock(file, async () => {
      rmSync(lockPath);
      writeFileSync(lockPath, 'the lock of whoever took over');
    });
    expect(readFileSync(lockPath, 'utf8')).toBe('the lock of whoever took over');
  });

  // concurrent: these two only wait out the lock's 2 s budget, side by side with the rest
  it.concurrent('never takes the lock of a live owner, however old the lock file is', async () => {
    const file = newFile();
    let release!: () => void;
    let holding!: () => void;
    const entered = new Promise<void>((resolve) => (holding = resolve));
    const held = withFileLock(file, () => {
      holding();
      return new Promise<void>((resolve) => (release = resolve));
    });
    await entered;
    utimesSync(`${file}.lock`, aMinuteAgo(), aMinuteAgo());
    let secondEntered = false;
    await expect(withFileLock(file, async () => (secondEntered = true))).rejects.toBeInstanceOf(CredentialStoreUnavailableError);
    expect(secondEntered).toBe(false);
    release();
    await held;
    expect(existsSync(`${file}.lock`)).toBe(false);
  });

  it('takes over an old lock whose owner it cannot verify (an earlier version, another host)', async () => {
    const file = newFile();
    writeFileSync(`${file}.lock`, `${process.pid} ${Date.now() - 60_000}`);
    utimesSync(`${file}.lock`, aMinuteAgo(), aMinuteAgo());
    await expect(withFileLock(file, async () => 'written')).resolves.toBe('written');
    expect(readdirSync(join(file, '..'))).toEqual([]);
  });

  it.concurrent('never removes a directory at the lock path: waits, then refuses', async () => {
    const file = newFile();
    mkdirSync(`${file}.lock`);
    utimesSync(`${file}.lock`, aMinuteAgo(), aMinuteAgo());
    await expect(withFileLock(file, async () => 'written')).rejects.toBeInstanceOf(CredentialStoreUnavailableError);
    expect(statSync(`${file}.lock`).isDirectory()).toBe(true);
  });
});
