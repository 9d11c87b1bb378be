import { RunningRefreshes } from './running-refreshes';

describe('RunningRefreshes', () => {
  afterEach(() => jest.useRealTimers());

  const never = () => new Promise<never>(() => undefined);

  it('lets shutdown wait until every tracked refresh has settled, failed ones included, and names them', async () => {
    const running = new RunningRefreshes();
    let finish!: () => void;
    void running.track('pa', new Promise<void>((resolve) => (finish = resolve)));
    running.track('pb', Promise.reject(new Error('upstream down'))).catch(() => undefined);
    let done = false;
    const settled = running.settled().then((result) => ((done = true), result));
    await new Promise((resolve) => setImmediate(resolve));
    expect(done).toBe(false);
    finish();
    expect(await settled).toEqual({ inFlight: ['pa', 'pb'], finished: true });
  });

  it('waits for what it is given first, then for the refreshes that started meanwhile', async () => {
    const running = new RunningRefreshes();
    let finishCheck!: () => void;
    let finishRefresh!: () => void;
    const check = new Promise<void>((resolve) => (finishCheck = resolve)).then(() => {
      void running.track('pa', new Promise<void>((resolve) => (finishRefresh = resolve)));
    });
    let done = false;
    const settled = running.settled(check).then((result) => ((done = true), result));
    finishCheck();
    await new Promise((resolve) => setImmediate(resolve));
    expect(done).toBe(false); // the check started a refresh before it ended
    finishRefresh();
    expect(await settled).toEqual({ inFlight: ['pa'], finished: true }); // named, though it started after the wait began
  });

  it('gives up on a refresh that never ends after 10 s', async () => {
    jest.useFakeTimers();
    const running = new RunningRefreshes();
    void running.track('pa', never());
    let result: unknown;
    const settled = running.settled().then((r) => (result = r));
    await jest.advanceTimersByTimeAsync(9_999);
    expect(result).toBeUndefined();
    await jest.advanceTimersByTimeAsync(1);
    await settled;
    expect(result).toEqual({ inFlight: ['pa'], finished: false });
  });

  it('names, when it gives up, the refreshes still running, not those that finished meanwhile', async () => {
    jest.useFakeTimers();
    const running = new RunningRefreshes();
    void running.track('pa', new Promise((resolve) => setTimeout(resolve, 1_000)));
    void running.track('pb', never());
    const settled = running.settled();
    await jest.advanceTimersByTimeAsync(10_000);
    expect(await settled).toEqual({ inFlight: ['pb'], finished: false });
  });

  it('gives every later wait the first one’s deadline, so shutdown waits 10 s in all, not 10 s per wait', async () => {
    jest.useFakeTimers();
    const running = new RunningRefreshes();
    void running.track('pa', never());
    const first = running.settled(never()); // the scheduler's, whose checks never end
    await jest.advanceTimersByTimeAsync(4_000);
    let result: unknown;
    const second = running.settled().then((r) => (result = r)); // the refresher's own, started 4 s later
    await jest.advanceTimersByTimeAsync(6_000);
    expect(await first).toEqual({ inFlight: ['pa'], finished: false });
    await second;
    expect(result).toEqual({ inFlight: ['pa'], finished: false });
  });
});
