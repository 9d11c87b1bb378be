import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brokerMode, readBrokerVersion } from './status-page-broker';

describe('brokerMode', () => {
  it('says embedded without Redis, and a single Redis server without its URL', () => {
    expect(brokerMode(undefined)).toMatch(/^embedded: one instance/);
    const mode = brokerMode({ topology: 'single', url: 'redis://user:pa55word@redis.internal:6379/2' });
    expect(mode).toMatch(/^Redis, single server/);
    expect(mode).not.toMatch(/pa55word|redis\.internal/);
  });

  it('names Sentinel and Cluster topologies without their addresses or passwords', () => {
    const sentinels = [1, 2, 3].map((n) => ({ host: `sentinel-${n}.internal`, port: 26379 }));
    const sentinel = brokerMode({ topology: 'sentinel', sentinels, name: 'tokens', password: 'pa55word' });
    expect(sentinel).toMatch(/^Redis with Sentinel \(3 sentinels\)/);
    const cluster = brokerMode({ topology: 'cluster', nodes: sentinels.slice(0, 2), password: 'pa55word' });
    expect(cluster).toMatch(/^Redis Cluster \(2 seed nodes\)/);
    expect(sentinel + cluster).not.toMatch(/pa55word|internal/);
  });
});

describe('readBrokerVersion', () => {
  const root = mkdtempSync(join(tmpdir(), 'tb-version-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('reads the nearest package.json above the code, as from dist/apps/token-broker/src', () => {
    const code = join(root, 'dist/apps/token-broker/src');
    mkdirSync(code, { recursive: true });
    writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'token-broker', version: '1.2.3' }));
    expect(readBrokerVersion(code)).toBe('1.2.3');
  });

  it("is this repository's version from the sources", () => {
    expect(readBrokerVersion()).toBe(JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8')).version);
  });
});
