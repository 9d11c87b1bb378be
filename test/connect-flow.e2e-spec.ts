import Redis from 'ioredis';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { ADMIN_TOKEN, CALLER_KEY, callersYaml, testRedisUrl, uniquePrefix } from './support/broker-harness';
import { AuthorizationServer, RegisteredClient } from './support/authorization-server';
import { launchChromium, localOnlyContext, signInAndConsent } from './support/authorize-in-browser';
import { BrokerProcess } from './support/broker-process';
import { findChromium } from './support/find-chromium';
import { freePort } from './support/redis-server';
import { TEST_SECRETS } from './support/test-secrets';
import { waitFor } from './support/wait-for';

const CHROMIUM = findChromium(process.env);
const BROWSER_REQUIRED = process.env.CI === 'true';
const SCOPE = 'openid offline_access api:read';
const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

if (!CHROMIUM.path && !BROWSER_REQUIRED) process.stdout.write(`Connect flow browser test skipped: ${CHROMIUM.reason}\n`);

/**
 * The connect flow end to end: two broker processes on one Redis, a real authorization server
 * (oidc-provider, PKCE required, refresh tokens rotated), and a person in headless Chromium going
 * through the server's own login and consent pages. The flow starts on one replica and the server
 * sends the browser back to the other (PUBLIC_URL).
 */
(CHROMIUM.path || BROWSER_REQUIRED ? describe : describe.skip)('connect flow against a real authorization server', () => {
  jest.setTimeout(60_000);
  const dir = mkdtempSync(join(tmpdir(), 'tb-connect-'));
  const prefix = uniquePrefix();
  const redis = new Redis(testRedisUrl());
  let client: RegisteredClient;
  let server: AuthorizationServer;
  let starter: BrokerProcess;
  let finisher: BrokerProcess;
  let browser: Browser;

  beforeAll(async () => {
    if (!CHROMIUM.path) throw new Error(`CI=true needs the browser: ${CHROMIUM.reason}`);
    const [starterPort, finisherPort] = [await freePort(), await freePort()];
    const publicUrl = `http://127.0.0.1:${finisherPort}`;
    client = {
      client_id: 'broker-connect',
      client_secret: TEST_SECRETS.idpConnectSecret,
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: [`${publicUrl}/oauth/callback`],
      token_endpoint_auth_method: 'client_secret_basic',
    };
    server = await new AuthorizationServer({ clients: [client], accessTokenSeconds: 300 }).start();
    writeFileSync(
      join(dir, 'providers.yaml'),
      `providers:
  acme:
    type: oauth2-refresh-token
    tokenUrl: ${server.url}/token
    authorizeUrl: ${server.url}/auth
    scope: ${SCOPE}
    auth: basic
  plain: { type: oauth2-refresh-token, tokenUrl: "${server.url}/token" }
`,
    );
    writeFileSync(join(dir, 'callers.yaml'), callersYaml({ caller: { key: CALLER_KEY, allow: '*' } }));
    const env = {
      REDIS_URL: testRedisUrl(),
      REDIS_KEY_PREFIX: prefix,
      PROVIDERS_FILE: join(dir, 'providers.yaml'),
      CALLERS_FILE: join(dir, 'callers.yaml'),
      CREDENTIALS_FILE: join(dir, 'credentials.enc'),
      BROKER_MASTER_KEY: randomBytes(32).toString('base64'),
      BROKER_ADMIN_TOKEN: ADMIN_TOKEN,
      PUBLIC_URL: publicUrl,
      REFRESH_TICK_MS: '200',
      CREDENTIALS_CACHE_MS: '1000',
      LOG_LEVEL: 'debug', // captured and checked for secrets at teardown
    };
    starter = new BrokerProcess(starterPort, env);
    finisher = new BrokerProcess(finisherPort, env);
    await Promise.all([starter.start(), finisher.start()]);
    await putCredentials({ client_id: client.client_id, client_secret: client.client_secret });
    browser = await launchChromium(CHROMIUM.path);
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all([starter?.kill('SIGTERM'), finisher?.kill('SIGTERM')]);
    await server?.stop();
    await redis.quit();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a person connects, and later reconnects after the chain was refused, through the status page and the server', async () => {
    expect(await actionOf('acme')).toBe('Connect');
    expect(await actionOf('plain')).toBeUndefined();

    const first = await connectInBrowser('Connect');
    expect(first.pageTitle).toBe('acme is connected');
    expect(first.pageText).toMatch(/holds a token valid until \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
    const token = await fetchToken(starter);
    expect(await server.isActive(token, client)).toBe(true);
    expect(await fetchToken(finisher)).toBe(token);
    expect(server.grants('authorization_code').map((e) => e.auth)).toEqual(['client_secret_basic']);
    expect(server.grants('refresh_token').length).toBeGreaterThanOrEqual(1); // the pre-warm spent and rotated the new token

    // the same callback again: its state was used
    const version = await credentialsVersion();
    const replay = await fetch(first.callbackUrl);
    expect(replay.status).toBe(400);
    expect(await credentialsVersion()).toBe(version);

    // the chain dies (a refresh token the server never issued): the provider needs a person
    await putCredentials({ client_id: client.client_id, client_secret: client.client_secret, refresh_token: 'not-issued-by-the-server' });
    await waitFor(async () => (await stateOf('acme')) === 'reauthorization_required');
    expect(await actionOf('acme')).toBe('Reconnect');

    const second = await connectInBrowser('Reconnect');
    expect(second.pageTitle).toBe('acme is connected');
    expect(await stateOf('acme', finisher)).toBe('ok');
    // the other replica reads the refusal mark from its credential cache until CREDENTIALS_CACHE_MS passes
    await waitFor(async () => (await stateOf('acme', starter)) === 'ok', 5_000);
    expect(await actionOf('acme')).toBe('Reconnect');
    const renewed = await fetchToken(finisher);
    expect(renewed).not.toBe(token);
    expect(await server.isActive(renewed, client)).toBe(true);
    expect(server.events.filter((e) => e.event === 'grant.revoked')).toEqual([]);
    for (const broker of [starter, finisher]) for (const secret of [token, renewed]) expect(broker.output).not.toContain(secret);
  });

  it('sends a script with the bearer token to the server with the RFC 6749 / RFC 7636 parameters, keeping only hashes', async () => {
    const started = await fetch(`${starter.url}/admin/connect/acme`, { headers: admin, redirect: 'manual' });
    expect(started.status).toBe(302);
    const target = new URL(started.headers.get('location')!);
    expect(`${target.origin}${target.pathname}`).toBe(`${server.url}/auth`);
    const params = Object.fromEntries(target.searchParams);
    expect(params).toEqual({
      response_type: 'code',
      client_id: client.client_id,
      redirect_uri: client.redirect_uris![0],
      scope: SCOPE,
      state: expect.stringMatching(/^[\w-]{43}$/),
      code_challenge: expect.stringMatching(/^[\w-]{43}$/),
      code_challenge_method: 'S256',
    });
    const key = `${prefix}{connect}:state:${createHash('sha256').update(params.state).digest('base64url')}`;
    expect(await redis.pttl(key)).toBeGreaterThan(595_000);
    expect(await redis.pttl(key)).toBeLessThanOrEqual(600_000);
    const kept = (await redis.get(key))!;
    expect(kept).not.toContain(params.state);
    expect(JSON.parse(kept)).toEqual({
      provider: 'acme',
      sealedVerifier: expect.stringMatching(/^v1\./),
      redirectUri: client.redirect_uris![0],
    });
  });

  it.each([
    ['an unknown state', () => ({ state: 'made-up', code: 'c0de' }), 400, /unknown, expired .* or was already used/],
    ['no state at all', () => ({ code: 'c0de' }), 400, /unknown, expired/],
  ])('answers a callback with %s with a short page, storing nothing', async (_case, query, status, text) => {
    const version = await credentialsVersion();
    const answer = await callback(query());
    expect(answer.status).toBe(status);
    expect(answer.text).toMatch(text);
    expect(answer.text).not.toContain('c0de');
    expect(await credentialsVersion()).toBe(version);
  });

  it('answers a refusal by the server (access_denied) with a 403 page that repeats none of its text, and burns the state', async () => {
    const version = await credentialsVersion();
    const state = await startFlow();
    const denied = await callback({ state, error: 'access_denied', error_description: 'secret <b>detail</b>' });
    expect(denied.status).toBe(403);
    expect(denied.text).toContain('access_denied');
    expect(denied.text).not.toMatch(/secret|detail|<b>/);
    expect(denied.text).not.toContain(state);
    const odd = await callback({ state: await startFlow(), error: 'made_up_error' });
    expect(odd.text).not.toContain('made_up_error');
    expect((await callback({ state, code: 'c0de' })).status).toBe(400);
    expect(await credentialsVersion()).toBe(version);
  });

  it('answers a code the server refuses with a 400 page saying what to check, storing nothing', async () => {
    const version = await credentialsVersion();
    const failed = await callback({ state: await startFlow(), code: 'not-a-code-the-server-issued' });
    expect(failed.status).toBe(400);
    expect(failed.text).toContain('Connecting acme failed');
    expect(failed.text).toContain('invalid_grant');
    expect(failed.text).not.toContain('not-a-code');
    expect(failed.headers.get('content-security-policy')).toBe(
      "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
    );
    expect(await credentialsVersion()).toBe(version);
  });

  it('asks a browser for the admin token in a form, never in a URL, and refuses a wrong one', async () => {
    const page = await fetch(`${starter.url}/admin/connect/acme`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<form method="post" action="/admin/connect/acme">');
    const wrong = await postForm(`admin_token=${TEST_SECRETS.wrongSecret}`);
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('That is not the admin token.');
    const right = await postForm(`admin_token=${encodeURIComponent(ADMIN_TOKEN)}`);
    expect(right.status).toBe(303);
    expect(right.headers.get('location')).toMatch(new RegExp(`^${server.url}/auth\\?`));
    expect(right.headers.get('location')).not.toContain(ADMIN_TOKEN);
    // a form body is for that one route: the credentials API still takes JSON only
    const form = await fetch(`${starter.url}/admin/credentials/acme`, {
      method: 'PUT',
      headers: { ...admin, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'client_id=x&client_secret=y',
    });
    expect(form.status).toBe(415);
  });

  it('says why a provider without authorizeUrl cannot be connected', async () => {
    const answer = await fetch(`${starter.url}/admin/connect/plain`, { headers: admin, redirect: 'manual' });
    expect(answer.status).toBe(409);
    expect(await answer.json()).toMatchObject({ error: 'connect_unavailable', message: expect.stringContaining('no authorizeUrl') });
    const page = await fetch(`${starter.url}/admin/connect/plain`);
    expect(page.status).toBe(409);
    expect(await page.text()).toContain('no authorizeUrl');
  });

  /** Status page -> Connect/Reconnect -> admin token form -> server login -> consent -> callback on the other replica. */
  async function connectInBrowser(label: string): Promise<{ pageTitle: string; pageText: string; callbackUrl: string }> {
    const context = await localOnlyContext(browser);
    const page = await context.newPage();
    let callbackUrl = '';
    page.on('request', (request) => {
      if (request.url().startsWith(`${finisher.url}/oauth/callback`)) callbackUrl = request.url();
    });
    try {
      await page.goto(`${starter.url}/`);
      await page.locator('tr[data-provider="acme"] ul.actions a', { hasText: label }).click();
      await page.fill('input[name="admin_token"]', ADMIN_TOKEN);
      await page.click('button[type="submit"]');
      await signInAndConsent(page, server.url);
      await page.waitForURL(`${finisher.url}/oauth/callback?**`);
      return { pageTitle: await page.locator('h1').innerText(), pageText: await page.locator('main').innerText(), callbackUrl };
    } finally {
      await context.close();
    }
  }

  async function startFlow(): Promise<string> {
    const started = await fetch(`${starter.url}/admin/connect/acme`, { headers: admin, redirect: 'manual' });
    return new URL(started.headers.get('location')!).searchParams.get('state')!;
  }

  async function callback(query: Record<string, string>): Promise<{ status: number; text: string; headers: Headers }> {
    const answer = await fetch(`${finisher.url}/oauth/callback?${new URLSearchParams(query).toString()}`);
    return { status: answer.status, text: await answer.text(), headers: answer.headers };
  }

  function postForm(body: string): Promise<Response> {
    return fetch(`${starter.url}/admin/connect/acme`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
      redirect: 'manual',
    });
  }

  async function putCredentials(values: Record<string, string>): Promise<void> {
    const answer = await fetch(`${starter.url}/admin/credentials/acme`, {
      method: 'PUT',
      headers: { ...admin, 'content-type': 'application/json' },
      body: JSON.stringify(values),
    });
    expect(answer.status).toBe(204);
  }

  async function credentialsVersion(): Promise<number> {
    return ((await (await fetch(`${starter.url}/admin/credentials/acme`, { headers: admin })).json()) as { version: number }).version;
  }

  async function fetchToken(broker: BrokerProcess): Promise<string> {
    const answer = await fetch(`${broker.url}/tokens/acme`, { headers: { authorization: `Bearer ${CALLER_KEY}` } });
    expect(answer.status).toBe(200);
    return ((await answer.json()) as { access_token: string }).access_token;
  }

  async function stateOf(provider: string, broker = starter): Promise<string> {
    const list = (await (await fetch(`${broker.url}/providers`, { headers: admin })).json()) as Array<{ provider: string; state: string }>;
    return list.find((p) => p.provider === provider)!.state;
  }

  async function actionOf(provider: string): Promise<string | undefined> {
    const html = await (await fetch(`${starter.url}/`)).text();
    const row = html.split('<tr ').find((r) => r.startsWith(`data-provider="${provider}"`))!;
    return /<ul class="actions"><li><a href="\/admin\/connect\/[\w-]+">(\w+)<\/a>/.exec(row)?.[1];
  }
});
