import { providerStateEvent } from './provider-state-event';

const AT = new Date('2030-01-02T03:04:05.000Z');
const refused = { code: 'invalid_client', message: 'Upstream refused the client credentials', at: 1 };

describe('providerStateEvent', () => {
  it('describes a change with provider, both states, the error and the time, and nothing else', () => {
    const event = providerStateEvent('crm', { state: 'ok' }, { state: 'reauthorization_required', lastError: refused }, AT);
    expect(event).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      type: 'provider_state_changed',
      provider: 'crm',
      old_state: 'ok',
      new_state: 'reauthorization_required',
      error: { code: 'invalid_client', message: 'Upstream refused the client credentials' },
      at: '2030-01-02T03:04:05.000Z',
      text:
        ':red_circle: token-broker: *crm* needs a person: the upstream refused the credentials (was ok)\n' +
        '`invalid_client` Upstream refused the client credentials',
    });
  });

  it('copies only state and error from the status, whatever else it carries', () => {
    const status = { state: 'failing' as const, lastError: refused, client_secret: 'never', refresh_token: 'never' };
    const event = providerStateEvent('crm', { state: 'ok' }, status, AT);
    expect(JSON.stringify(event)).not.toContain('never');
  });

  it('says nothing when the state stays the same', () => {
    expect(providerStateEvent('crm', { state: 'failing' }, { state: 'failing', lastError: refused })).toBeUndefined();
    expect(providerStateEvent('crm', { state: 'ok' }, { state: 'ok' })).toBeUndefined();
  });

  it('announces a recovery without the last error', () => {
    const event = providerStateEvent('crm', { state: 'failing' }, { state: 'ok', lastError: refused }, AT);
    const text = ':large_green_circle: token-broker: *crm* is ok (was failing)';
    expect(event).toMatchObject({ old_state: 'failing', new_state: 'ok', error: null, text });
  });

  it('treats a missing previous status as unknown: a first ok is silent, a first failure is announced', () => {
    expect(providerStateEvent('crm', undefined, { state: 'ok' })).toBeUndefined();
    expect(providerStateEvent('crm', undefined, { state: 'degraded' }, AT)).toMatchObject({
      old_state: null,
      new_state: 'degraded',
      error: null,
      text: expect.stringContaining('(previous state unknown)'),
    });
  });

  it('escapes Slack markup and shortens long upstream messages', () => {
    const lastError = { code: 'http_502', message: `<html>&${'x'.repeat(1000)}`, at: 1 };
    const event = providerStateEvent('crm', { state: 'ok' }, { state: 'failing', lastError }, AT)!;
    expect(event.text).toContain('&lt;html&gt;&amp;xxx');
    expect(event.text).not.toContain('<html>');
    expect(event.error!.message).toHaveLength(300);
    expect(event.error!.message.endsWith('…')).toBe(true);
  });
});
