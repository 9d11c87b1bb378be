import type { DemoUpstream } from './demo-upstreams';

/**
 * The demo caller's key. Public on purpose (README, config/demo/callers.yaml holds its SHA-256):
 * it only works against a broker started with the demo's callers file.
 */
export const DEMO_CALLER_KEY = 'tbk_demo-caller-key-for-local-use-only';

/** Waits for the broker's readiness probe; `gaveUp` ends the wait early (e.g. the process died). */
export async function waitUntilReady(
  brokerUrl: string,
  timeoutMs: number,
  gaveUp: () => string | undefined = () => undefined,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const reason = gaveUp();
    if (reason) throw new Error(reason);
    const ready = await fetch(`${brokerUrl}/health/ready`, { signal: AbortSignal.timeout(2_000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the broker at ${brokerUrl} was not ready within ${timeoutMs / 1000} s`);
}

/** Stores each upstream's demo credentials through the broker's admin API. */
export async function seedDemoCredentials(brokerUrl: string, adminToken: string, upstreams: DemoUpstream[]): Promise<void> {
  for (const upstream of upstreams) {
    const response = await fetch(`${brokerUrl}/admin/credentials/${upstream.provider}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(upstream.credentials()),
    });
    if (response.status !== 204) {
      // the broker's error bodies are {"error","message"} and never carry a secret
      throw new Error(`storing the demo credentials for ${upstream.provider} failed: ${response.status} ${await response.text()}`);
    }
  }
}

export function demoCurlLine(brokerUrl: string, provider: string): string {
  return `curl -s -H 'Authorization: Bearer ${DEMO_CALLER_KEY}' ${brokerUrl}/tokens/${provider}`;
}
