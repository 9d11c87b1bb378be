import { chromium, type Browser } from 'playwright-core';
import { SmartDocumentorSimulator } from '@app/providers/testing';
import { BrokerHarness, putCredentials, startBroker } from './support/broker-harness';
import { findChromium } from './support/find-chromium';
import { TEST_SECRETS } from './support/test-secrets';
import { waitFor } from './support/wait-for';

const CHROMIUM = findChromium(process.env);
// a developer without a browser still gets every other test; CI must run this one
const BROWSER_REQUIRED = process.env.CI === 'true';
const DEMO = { clientId: 'demo-client', clientSecret: TEST_SECRETS.clientSecret };

if (!CHROMIUM.path && !BROWSER_REQUIRED) process.stdout.write(`Status page browser test skipped: ${CHROMIUM.reason}\n`);

/** The ops status page, rendered by a real headless Chromium. */
(CHROMIUM.path || BROWSER_REQUIRED ? describe : describe.skip)('status page and API docs in headless Chromium', () => {
  const simulator = new SmartDocumentorSimulator(DEMO);
  let broker: BrokerHarness;
  let browser: Browser;

  beforeAll(async () => {
    if (!CHROMIUM.path) throw new Error(`CI=true needs the browser: ${CHROMIUM.reason}`);
    await simulator.start();
    broker = await startBroker({
      providersYaml: `providers:\n  healthy: { type: smartdocumentor, baseUrl: "${simulator.url}" }\n  needs-person: { type: smartdocumentor, baseUrl: "${simulator.url}" }\n  unseeded: { type: smartdocumentor, baseUrl: "${simulator.url}" }\n`,
    });
    await putCredentials(broker, 'healthy', { client_id: DEMO.clientId, client_secret: DEMO.clientSecret });
    await putCredentials(broker, 'needs-person', { client_id: DEMO.clientId, client_secret: 'wrong <b>secret</b>' });
    browser = await chromium.launch({
      executablePath: CHROMIUM.path,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      // launch() gives every run a fresh temporary profile
    });
  });

  afterAll(async () => {
    await browser?.close();
    await broker?.close();
    await simulator.stop();
  });

  it('lists each provider with its state, colour-coded, and refreshes itself', async () => {
    const page = await browser.newPage();
    await waitFor(async () => {
      await page.goto(broker.url);
      const states = await page.$$eval('#providers tbody tr', (rows) => rows.map((row) => row.querySelectorAll('td')[2].textContent));
      return states.join() === 'ok,reauthorization_required,credentials_missing';
    });
    const rows = await page.$$eval('#providers tbody tr', (rows) =>
      rows.map((row) => ({
        provider: row.cells[0].textContent,
        state: row.cells[2].textContent,
        // runs in the page; this project's type settings have no DOM lib
        color: (globalThis as unknown as { getComputedStyle(el: unknown): { color: string } }).getComputedStyle(row.cells[2]).color,
      })),
    );
    expect(rows.map((r) => r.provider)).toEqual(['healthy', 'needs-person', 'unseeded']);
    expect(new Set(rows.map((r) => r.color)).size).toBe(3);
    expect(await page.$eval('meta[http-equiv="refresh"]', (meta) => meta.getAttribute('content'))).toBe('5');
    expect(await page.content()).not.toContain(DEMO.clientSecret);
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
    expect(operations).toEqual(expect.arrayContaining(['/tokens/{provider}', '/tokens/{provider}/refresh', '/providers', '/health/ready', '/metrics']));
    expect(blocked).toEqual([]);
  });
});
