import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { SmartDocumentorSimulator } from '@app/providers/testing';
import { BrokerHarness, putCredentials, startBroker } from './support/broker-harness';
import { findChromium } from './support/find-chromium';
import { RedisServer } from './support/redis-server';
import { TEST_SECRETS } from './support/test-secrets';
import { waitFor } from './support/wait-for';

const CHROMIUM = findChromium(process.env);
// a developer without a browser still gets every other test; CI must run this one
const BROWSER_REQUIRED = process.env.CI === 'true';
const DEMO = { clientId: 'demo-client', clientSecret: TEST_SECRETS.clientSecret };
const VERSION = JSON.parse(readFileSync(join(__dirname, '../package.json'), 'utf8')).version as string;
const CLOSED_PORT = 'http://127.0.0.1:1';
const STATES = 'ok,reauthorization_required,failing,credentials_missing';
// the screenshots stay where STATUS_PAGE_SCREENSHOTS points (e.g. a CI artifact), else in a temp dir removed afterwards
const SCREENSHOTS = process.env.STATUS_PAGE_SCREENSHOTS;
const VIEWPORTS = { desktop: { width: 1280, height: 800, isMobile: false }, phone: { width: 390, height: 844, isMobile: true } };

if (!CHROMIUM.path && !BROWSER_REQUIRED) process.stdout.write(`Status page browser test skipped: ${CHROMIUM.reason}\n`);

/** The ops status page, rendered by a real headless Chromium. */
(CHROMIUM.path || BROWSER_REQUIRED ? describe : describe.skip)('status page and API docs in headless Chromium', () => {
  const simulator = new SmartDocumentorSimulator(DEMO);
  const screenshots = SCREENSHOTS ?? mkdtempSync(join(tmpdir(), 'tb-status-page-'));
  let broker: BrokerHarness;
  let browser: Browser;

  beforeAll(async () => {
    if (!CHROMIUM.path) throw new Error(`CI=true needs the browser: ${CHROMIUM.reason}`);
    await simulator.start();
    const provider = (id: string, baseUrl = simulator.url) => `  ${id}: { type: smartdocumentor, baseUrl: "${baseUrl}" }\n`;
    const providers = [provider('healthy'), provider('needs-person'), provider('upstream-down', CLOSED_PORT), provider('unseeded')];
    broker = await startBroker({ providersYaml: `providers:\n${providers.join('')}` });
    await putCredentials(broker, 'healthy', { client_id: DEMO.clientId, client_secret: DEMO.clientSecret });
    await putCredentials(broker, 'needs-person', { client_id: DEMO.clientId, client_secret: 'wrong <b>secret</b>' });
    await putCredentials(broker, 'upstream-down', { client_id: DEMO.clientId, client_secret: DEMO.clientSecret });
    browser = await chromium.launch({
      executablePath: CHROMIUM.path,
      args: [
        ...['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run'],
        ...['--disable-background-networking', '--disable-component-update', '--disable-sync'],
      ],
      // launch() gives every run a fresh temporary profile
    });
  });

  afterAll(async () => {
    await browser?.close();
    await broker?.close();
    await simulator.stop();
    if (!SCREENSHOTS) rmSync(screenshots, { recursive: true, force: true });
  });

  it('shows the broker, and each provider with its state, colour-coded, what to do and its times', async () => {
    const page = await browser.newPage();
    // one evaluate reads one rendering (the page reloads itself every 5 s), and the rendering that
    // shows every state is the one checked: a retry of the failing upstream shows as "refreshing"
    let seen: Awaited<ReturnType<typeof openStatusPage>> | undefined;
    await waitFor(async () => {
      seen = await openStatusPage(page, broker.url);
      return seen.rows.map((r) => r.state).join() === STATES;
    });
    const { facts, rows } = seen!;
    expect(facts).toEqual({
      Mode: expect.stringMatching(/^embedded/),
      Version: VERSION,
      Uptime: expect.stringMatching(/^\d+ s$/),
      'Token store': expect.stringMatching(/^ready/),
      'Credential store': expect.stringMatching(/^ready.*encrypted file/),
    });
    expect(rows.map((r) => r.provider)).toEqual(['healthy', 'needs-person', 'upstream-down', 'unseeded']);
    expect(new Set(rows.map((r) => r.color)).size).toBe(4);
    const [healthy, needsPerson, upstreamDown, unseeded] = rows;
    expect(healthy).toMatchObject({ todo: 'nothing', expires: expect.stringMatching(/^in 5\d min$/), lastError: 'none', failures: '0' });
    expect(healthy.expiresTitle).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
    expect(healthy.lastRefresh).toMatch(/^(now|\d+ s ago)$/);
    expect(needsPerson.todo).toContain('PUT /admin/credentials/needs-person');
    expect(needsPerson.lastError).toMatch(/^invalid_client .+ \((now|\d+ s ago)\)$/);
    expect(upstreamDown.lastError).toMatch(/^network_error /);
    expect(upstreamDown.failures).toMatch(/^[1-9]\d*$/);
    expect(upstreamDown.todo).toContain('check the upstream');
    expect(unseeded).toMatchObject({ expires: 'no token', lastRefresh: 'none yet', writePending: 'no' });
    expect(unseeded.todo).toContain('PUT /admin/credentials/unseeded');
    expect(await page.$eval('meta[http-equiv="refresh"]', (meta) => meta.getAttribute('content'))).toBe('5');
    expect(await page.content()).not.toContain(DEMO.clientSecret);
  });

  it.each(Object.entries(VIEWPORTS))('fits a %s screen: no sideways scrolling, each state and what to do shown', async (name, viewport) => {
    const context = await browser.newContext({ viewport, isMobile: viewport.isMobile, hasTouch: viewport.isMobile, deviceScaleFactor: 1 });
    const page = await context.newPage();
    try {
      await waitFor(async () => (await openStatusPage(page, broker.url)).rows.length === 4);
      const layout = await page.evaluate(measureLayout);
      const file = join(screenshots, `status-page-${name}.png`);
      await page.screenshot({ path: file, fullPage: true });

      expect(layout.scrollWidth).toBeLessThanOrEqual(layout.innerWidth);
      expect(layout.innerWidth).toBe(viewport.width);
      expect(layout.rowDisplay).toBe(name === 'phone' ? 'block' : 'table-row'); // stacked cards on the phone
      expect(layout.hidden).toEqual([]);
      expect(layout.shown.map((s) => s.provider)).toEqual(['healthy', 'needs-person', 'upstream-down', 'unseeded']);
      expect(statSync(file).size).toBeGreaterThan(0);
      // a full-page screenshot is as wide as the page: wider than the screen would mean sideways scrolling
      expect(pngWidth(file)).toBe(viewport.width);
    } finally {
      await context.close();
    }
  });

  it('still answers while Redis is down, saying which store is not reachable', async () => {
    const redis = await new RedisServer().start();
    const providersYaml = `providers:\n  crm: { type: smartdocumentor, baseUrl: "${simulator.url}" }\n`;
    const redisBroker = await startBroker({ redisUrl: redis.url, providersYaml });
    const page = await browser.newPage();
    try {
      expect((await openStatusPage(page, redisBroker.url)).facts).toMatchObject({ Mode: expect.stringMatching(/^Redis, single server/) });
      await redis.kill();
      const response = await page.goto(redisBroker.url);
      expect(response?.status()).toBe(200);
      const { facts } = await openStatusPage(page, redisBroker.url);
      expect(facts['Token store']).toMatch(/^not reachable: Redis is unavailable/);
      expect(facts['Credential store']).toMatch(/^ready/);
      expect(await page.isVisible('#providers-unavailable')).toBe(true);
    } finally {
      await redis.start();
      await redisBroker.close();
      await redis.stop();
    }
  });

  it('renders the API docs at /docs with their own assets under the docs CSP', async () => {
    const page = await browser.newPage();
    const blocked: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') blocked.push(message.text());
    });
    await page.goto(`${broker.url}/docs`);
    await page.waitForSelector('.opblock', { timeout: 10_000 });
    const operations = await page.$$eval('.opblock-summary-path', (paths) => paths.map((path) => path.textContent?.replace(/\u200b/g, '')));
    const expected = ['/tokens/{provider}', '/tokens/{provider}/refresh', '/providers', '/health/ready', '/metrics'];
    expect(operations).toEqual(expect.arrayContaining(expected));
    expect(blocked).toEqual([]);
  });
});

// The functions below run inside the page; this project's type settings have no DOM lib, hence the loose types.
/* eslint-disable @typescript-eslint/no-explicit-any */

/** Loads the page and reads the broker facts and the provider rows from one rendering. */
async function openStatusPage(page: Page, url: string) {
  await page.goto(url);
  return page.evaluate(() => {
    const doc = (globalThis as any).document;
    const text = (el: any) => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();
    const facts: Record<string, string> = {};
    for (const div of doc.querySelectorAll('#broker > div')) facts[text(div.querySelector('dt'))] = text(div.querySelector('dd'));
    const rows = [...doc.querySelectorAll('#providers tbody tr')].map((row: any) => ({
      provider: text(row.querySelector('th')).replace(text(row.querySelector('th .detail')), ''),
      state: text(row.querySelector('.state .badge')),
      color: (globalThis as any).getComputedStyle(row.querySelector('.state .badge')).color as string,
      todo: text(row.querySelector('.todo')),
      expires: text(row.querySelector('.expires')),
      expiresTitle: row.querySelector('.expires time')?.getAttribute('title') as string | undefined,
      lastRefresh: text(row.querySelector('.last-refresh')),
      failures: text(row.querySelector('.failures')),
      lastError: text(row.querySelector('.last-error')),
      writePending: text(row.querySelector('.write-pending')),
    }));
    return { facts, rows };
  });
}

/** What a person sees: the page's width against the screen's, and which state and what-to-do texts are on screen. */
function measureLayout() {
  const win = globalThis as any;
  const doc = win.document;
  const onScreen = (el: any) => {
    if (!el) return false;
    const box = el.getBoundingClientRect();
    const style = win.getComputedStyle(el);
    const inside = box.width > 0 && box.height > 0 && box.left >= 0 && box.right <= win.innerWidth;
    return inside && style.visibility === 'visible' && style.opacity !== '0';
  };
  const rows = [...doc.querySelectorAll('#providers tbody tr')];
  const checks = rows.flatMap((row: any) =>
    ['.state .badge', '.todo', '.actions a'].flatMap((selector) =>
      [...row.querySelectorAll(selector)].map((el: any) => ({
        provider: row.dataset.provider as string,
        selector,
        text: el.textContent as string,
        visible: onScreen(el),
      })),
    ),
  );
  return {
    scrollWidth: doc.documentElement.scrollWidth as number,
    innerWidth: win.innerWidth as number,
    rowDisplay: win.getComputedStyle(rows[0]).display as string,
    hidden: checks.filter((c) => !c.visible),
    shown: checks.filter((c) => c.visible && c.selector === '.todo').map(({ provider, text }) => ({ provider, text })),
  };
}

/** The width in a PNG's IHDR chunk. */
function pngWidth(file: string): number {
  return readFileSync(file).readUInt32BE(16);
}
