import { SimulatorReply, SimulatorRequest } from '../../testing/simulator-server';

/** How a strict token endpoint expects to be called. */
export interface TokenRequestContract {
  bodyFormat: 'form' | 'json';
  clientAuth: 'body' | 'basic';
  /** Status of an `invalid_client` answer; RFC 6749 5.2 allows 400 and asks for 401 after a Basic header. */
  invalidClientStatus: number;
}

export interface SimulatorClient {
  clientId: string;
  clientSecret: string;
}

/**
 * Reads a token request as a strict server does: the agreed body format only, and the client
 * authenticated by the agreed method and by nothing else (RFC 6749 2.3: one method per request).
 * Returns the parameters, or the refusal to send.
 */
export function readTokenRequest(
  request: SimulatorRequest,
  contract: TokenRequestContract,
  client: SimulatorClient,
): { params: Record<string, unknown> } | { refusal: SimulatorReply } {
  const refuse = (status: number, error: string) => ({ refusal: { status, body: { error } } });
  const expectedType = contract.bodyFormat === 'json' ? 'application/json' : 'application/x-www-form-urlencoded';
  if (!request.headers['content-type']?.startsWith(expectedType)) return refuse(400, 'invalid_request');
  const params = parseParams(request.body, contract.bodyFormat);
  if (!params) return refuse(400, 'invalid_request');
  const header = request.headers.authorization;
  if (header !== undefined && params.client_secret !== undefined) return refuse(400, 'invalid_request');
  const [id, secret] = contract.clientAuth === 'basic' ? parseBasic(header) : [params.client_id, params.client_secret];
  if (id !== client.clientId || secret !== client.clientSecret) return refuse(contract.invalidClientStatus, 'invalid_client');
  return { params };
}

function parseParams(body: string, format: 'json' | 'form'): Record<string, unknown> | undefined {
  if (format === 'form') return Object.fromEntries(new URLSearchParams(body));
  try {
    const value: unknown = JSON.parse(body);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function parseBasic(header: string | undefined): [string?, string?] {
  if (!header?.startsWith('Basic ')) return [];
  const pair = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const colon = pair.indexOf(':');
  if (colon < 0) return [];
  try {
    return [decodeURIComponent(pair.slice(0, colon)), decodeURIComponent(pair.slice(colon + 1))];
  } catch {
    return [];
  }
}
