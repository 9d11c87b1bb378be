import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';

interface Version {
  data: Record<string, unknown>;
  created_time: string;
}

interface Token {
  expiresAt?: number;
  ttlSeconds?: number;
}

/**
 * A local stand-in for HashiCorp Vault's KV v2 and token/AppRole HTTP API, following its documented
 * semantics: versions, `options.cas` (400 "check-and-set parameter did not match the current
 * version"), 403 for a bad or expired token, 404 for a missing secret, token TTL and renew-self.
 */
export class VaultTestServer {
  readonly rootToken: string;
  url = '';
  /** Every KV write answers 503 as a sealed Vault would. */
  failWrites = false;
  /** Every KV read answers 503. */
  failReads = false;
  /** The next `count` KV writes are held this long before they are processed, like a slow network to Vault. */
  private slowWrites = { ms: 0, count: 0 };
  private server?: Server;
  private readonly secrets = new Map<string, Version[]>();
  private readonly tokens = new Map<string, Token>();
  private readonly roles = new Map<string, { secretId: string; ttlSeconds: number }>();
  private readonly mount: string;

  constructor(options: { rootToken?: string; mount?: string } = {}) {
    this.rootToken = options.rootToken ?? `hvs.root-${randomBytes(8).toString('hex')}`;
    this.mount = options.mount ?? 'secret';
    this.tokens.set(this.rootToken, {});
  }

  async start(port = 0): Promise<string> {
    this.server = createServer((req, res) => void this.dispatch(req, res));
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  addAppRole(roleId: string, secretId: string, tokenTtlSeconds = 3600): void {
    this.roles.set(roleId, { secretId, ttlSeconds: tokenTtlSeconds });
  }

  /** Ends every token's life now (AppRole tokens), as if their TTL ran out. */
  expireTokens(): void {
    for (const [token, info] of this.tokens) if (info.ttlSeconds) this.tokens.set(token, { ...info, expiresAt: Date.now() - 1 });
  }

  delayNextWrites(ms: number, count = 1): void {
    this.slowWrites = { ms, count };
  }

  /** The newest stored data of `<prefix>/<provider>`, for assertions. */
  latest(prefix: string, provider: string): { data: Record<string, string>; version: number } | undefined {
    const versions = this.secrets.get(`${prefix}/${provider}`);
    return versions?.length ? { data: versions.at(-1)!.data as Record<string, string>, version: versions.length } : undefined;
  }

  /** Stores raw data (for corrupt-data tests). */
  putRaw(path: string, data: Record<string, unknown>): void {
    const versions = this.secrets.get(path) ?? [];
    versions.push({ data, created_time: new Date().toISOString() });
    this.secrets.set(path, versions);
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readJson(req);
    const path = new URL(req.url ?? '/', 'http://vault').pathname;
    const reply = (status: number, payload?: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(payload === undefined ? '' : JSON.stringify(payload));
    };
    if (path === '/v1/auth/approle/login' && req.method === 'POST') {
      const role = this.roles.get(String(body?.role_id));
      if (!role || role.secretId !== body?.secret_id) return reply(400, { errors: ['invalid role or secret ID'] });
      return reply(200, { auth: this.issueToken(role.ttlSeconds) });
    }
    const token = String(req.headers['x-vault-token'] ?? '');
    const info = this.tokens.get(token);
    if (!info || (info.expiresAt !== undefined && info.expiresAt < Date.now())) return reply(403, { errors: ['permission denied'] });
    if (path === '/v1/auth/token/lookup-self') return reply(200, { data: { ttl: info.ttlSeconds ?? 0 } });
    if (path === '/v1/auth/token/renew-self' && req.method === 'POST') {
      if (info.ttlSeconds) this.tokens.set(token, { ...info, expiresAt: Date.now() + info.ttlSeconds * 1000 });
      return reply(200, { auth: { client_token: token, lease_duration: info.ttlSeconds ?? 0, renewable: !!info.ttlSeconds } });
    }
    const kv = new RegExp(`^/v1/${this.mount}/(data|metadata)/(.+)$`).exec(path);
    if (!kv) return reply(404, { errors: [] });
    const [, kind, secretPath] = kv;
    if (kind === 'metadata' && req.method === 'DELETE') {
      if (this.failWrites) return reply(503, { errors: ['Vault is sealed'] });
      this.secrets.delete(secretPath);
      return reply(204);
    }
    const versions = this.secrets.get(secretPath) ?? [];
    if (kind === 'data' && req.method === 'GET') {
      if (this.failReads) return reply(503, { errors: ['Vault is sealed'] });
      if (versions.length === 0) return reply(404, { errors: [] });
      const latest = versions.at(-1)!;
      return reply(200, {
        data: {
          data: latest.data,
          metadata: { version: versions.length, created_time: latest.created_time, deletion_time: '', destroyed: false },
        },
      });
    }
    if (kind === 'data' && (req.method === 'POST' || req.method === 'PUT')) {
      if (this.slowWrites.count > 0) {
        this.slowWrites.count -= 1;
        await new Promise((resolve) => setTimeout(resolve, this.slowWrites.ms));
      }
      if (this.failWrites) return reply(503, { errors: ['Vault is sealed'] });
      const current = this.secrets.get(secretPath)?.length ?? 0;
      const cas = (body?.options as { cas?: unknown } | undefined)?.cas;
      if (cas !== undefined && cas !== current) {
        return reply(400, { errors: [`check-and-set parameter did not match the current version`] });
      }
      if (typeof body?.data !== 'object' || body.data === null) return reply(400, { errors: ['no data provided'] });
      const version = current + 1;
      this.putRaw(secretPath, body.data as Record<string, unknown>);
      return reply(200, { data: { version, created_time: new Date().toISOString() } });
    }
    return reply(405, { errors: ['unsupported operation'] });
  }

  private issueToken(ttlSeconds: number): { client_token: string; lease_duration: number; renewable: boolean } {
    const token = `hvs.${randomBytes(12).toString('hex')}`;
    this.tokens.set(token, { ttlSeconds, expiresAt: Date.now() + ttlSeconds * 1000 });
    return { client_token: token, lease_duration: ttlSeconds, renewable: true };
  }
}

function readJson(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      try {
        resolve(chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : undefined);
      } catch {
        resolve(undefined);
      }
    });
  });
}
