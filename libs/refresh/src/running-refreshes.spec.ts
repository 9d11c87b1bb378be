import { RunningRefreshes } from './running-refreshes';

describe('RunningRefreshes', () => {
  afterEach(() => jest.useRealTimers());

  it('lets shutdown wait until every tracked refresh has settled, failed ones included', async () => {
    const running = new RunningRefreshes();
    let finish!: () => void;
    void running.track(new Promise<void>((resolve) => (finish = resolve)));
    running.track(Promise.reject(new Error('upstream down'))).catch(() => undefined);
    let done = false;
    const settled = running.settled().then(() => (done = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(done).toBe(false);
    finish();
    await settled;
    expect(done).toBe(true);
  });

  it('gives up on a refresh that never ends after 10 s', async () => {
    jest.useFakeTimers();
    const running = new RunningRefreshes();
    void running.track(new Promise(() => undefined));
    let done = false;
    const settled = running.settled().then(() => (done = true));
    await jest.advanceTimersByTimeAsync(9_999);
    expect(done).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    await settled;
    expect(done).toBe(true);
  });
});
