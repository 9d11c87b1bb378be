import { ChildProcess, spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './redis-server';

/** A client registered at the server (OpenID Connect Dynamic Client Registration metadata names). */
export interface RegisteredClient {
  client_id: string;
  client_secret: string;
  grant_types: string[];
  redirect_uris?: string[];
  response_types?: string[];
  token_endpoint_auth_method: 'client_secret_basic' | 'client_secret_post';
  scope?: string;
}

/** One line the server printed about a grant, a revocation or an error (never a token). */
export interface ServerEvent {
  at: number;
  event: 'listening' | 'grant.success' | 'grant.error' | 'grant.revoked' | 'authorization.error' | 'server_error';
  grant_type?: string;
  client?: string;
  auth?: string;
  error?: string;
  reason?: string;
}

/**
 * panva's oidc-provider (a certified OpenID Provider, refresh-token rotation on, reuse revoking the
 * grant) in its own process on a loopback port: see oidc-server.mjs. Its endpoints: `/auth`, `/token`,
 * `/token/introspection`.
 */
export class AuthorizationServer {
  readonly events: ServerEvent[] = [];
  private child?: ChildProcess;
  private port = 0;
  private output = '';

  constructor(private readonly settings: { clients: RegisteredClient[]; accessTokenSeconds: number }) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    this.port = await freePort();
    const child = spawn(process.execPath, [join(__dirname, 'oidc-server.mjs')], {
      env: { PATH: process.env.PATH ?? '', OIDC_TEST_SETTINGS: JSON.stringify({ ...this.settings, port: this.port }) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const capture = process.env.TB_LOG_CAPTURE_DIR && join(process.env.TB_LOG_CAPTURE_DIR, `oidc-server-${this.port}.log`);
    let pending = '';
    child.stdout.on('data', (chunk: Buffer) => {
      if (capture) appendFileSync(capture, chunk);
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop()!;
      // the server's own warnings are plain text on the same stream
      for (const line of lines) if (line.startsWith('{')) this.events.push(JSON.parse(line) as ServerEvent);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      this.output += chunk.toString();
      if (capture) appendFileSync(capture, chunk);
    });
    await new Promise<void>((resolve, reject) => {
      const deadline = setTimeout(() => reject(new Error(`authorization server did not start: ${this.output}`)), 15_000);
      child.once('exit', (code) => reject(new Error(`authorization server exited with ${code}: ${this.output}`)));
      const look = setInterval(() => {
        if (!this.events.some((e) => e.event === 'listening')) return;
        clearInterval(look);
        clearTimeout(deadline);
        resolve();
      }, 20);
    });
    return this;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }

  grants(grantType: string): ServerEvent[] {
    return this.events.filter((e) => e.event === 'grant.success' && e.grant_type === grantType);
  }

  /** RFC 7662 introspection, authenticated as `client`: whether the server still honours `token`. */
  async isActive(token: string, client: RegisteredClient): Promise<boolean> {
    const basic = Buffer.from(`${encodeURIComponent(client.client_id)}:${encodeURIComponent(client.client_secret)}`).toString('base64');
    const response = await fetch(`${this.url}/token/introspection`, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token }).toString(),
    });
    return ((await response.json()) as { active: boolean }).active;
  }
}
