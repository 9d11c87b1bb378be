import request from 'supertest';
import { BrokerHarness, startBroker } from './support/broker-harness';

type Operation = { responses: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }>; security?: unknown[] };

/** OpenAPI at /docs-json documents every route, its auth and the `{error, message}` error shape. */
describe('API docs', () => {
  let broker: BrokerHarness;
  let spec: {
    paths: Record<string, Record<string, Operation>>;
    components: { schemas: Record<string, { required?: string[]; properties: Record<string, unknown> }> };
  };

  beforeAll(async () => {
    broker = await startBroker({ providersYaml: 'providers:\n  sd: { type: smartdocumentor, baseUrl: "http://127.0.0.1:1" }\n' });
    spec = (await request(broker.url).get('/docs-json').expect(200)).body;
  });

  afterAll(() => broker?.close());

  it('lists every route of the broker', () => {
    const operations = Object.entries(spec.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(operations.sort()).toEqual(
      [
        'GET /',
        'GET /tokens/{provider}',
        'POST /tokens/{provider}/refresh',
        'PUT /admin/credentials/{provider}',
        'GET /admin/credentials/{provider}',
        'DELETE /admin/credentials/{provider}',
        'GET /providers',
        'GET /providers/{provider}',
        'GET /health/live',
        'GET /health/ready',
        'GET /metrics',
        'GET /admin/connect/{provider}',
        'GET /oauth/callback',
      ].sort(),
    );
  });

  it('gives every error answer the {error, message} shape and names the auth each route needs', () => {
    expect(spec.components.schemas.ErrorBody).toMatchObject({
      required: ['error', 'message'],
      properties: { error: expect.anything(), message: expect.anything() },
    });
    const errorRefs = Object.values(spec.paths).flatMap((methods) =>
      Object.values(methods).flatMap((op) =>
        Object.entries(op.responses)
          .filter(([status, r]) => Number(status) >= 400 && !r.content?.['text/html']) // the connect flow's pages for browsers
          .map(([, r]) => r.content?.['application/json']?.schema?.$ref),
      ),
    );
    expect(errorRefs.length).toBeGreaterThan(20);
    expect(new Set(errorRefs)).toEqual(new Set(['#/components/schemas/ErrorBody']));
    expect(spec.paths['/tokens/{provider}'].get.security).toEqual([{ caller: [] }]);
    expect(spec.paths['/tokens/{provider}/refresh'].post.security).toEqual([{ admin: [] }]);
    expect(spec.paths['/admin/credentials/{provider}'].put.security).toEqual([{ admin: [] }]);
    expect(spec.paths['/admin/connect/{provider}'].get.security).toEqual([{ admin: [] }]);
    expect(spec.paths['/oauth/callback'].get.security).toBeUndefined();
    expect(Object.keys(spec.paths['/tokens/{provider}'].get.responses).sort()).toEqual([
      '200',
      '400',
      '401',
      '403',
      '404',
      '422',
      '429',
      '503',
    ]);
  });

  it('serves Swagger UI at /docs with a CSP that lets it load its own assets only', async () => {
    const res = await request(broker.url).get('/docs').redirects(1).expect(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    await request(broker.url).get('/docs/swagger-ui-init.js').expect(200);
    // the rest of the broker keeps its strict policy
    expect((await request(broker.url).get('/health/live').expect(200)).headers['content-security-policy']).toContain("default-src 'none'");
  });
});
