import { AuthorizationCodeGrant } from './authorization-code-grant';
import { OAuth2TokenEndpoint } from './oauth2-token-endpoint';

const REQUEST = {
  clientId: 'acme client',
  redirectUri: 'https://broker.example.com/oauth/callback',
  state: 'st&te',
  codeChallenge: 'ch4llenge',
};

describe('AuthorizationCodeGrant', () => {
  const endpoint = { request: jest.fn().mockResolvedValue({ accessToken: 'at', tokenType: 'Bearer', expiresAt: 1, refreshToken: 'rt' }) };
  const grant = (authorizeUrl: string, scope?: string) =>
    new AuthorizationCodeGrant(endpoint as unknown as OAuth2TokenEndpoint, authorizeUrl, scope);

  it('sends the browser to the authorize URL with the RFC 6749 and RFC 7636 S256 parameters, each encoded', () => {
    const url = new URL(grant('https://auth.example.com/authorize', 'offline_access api').authorizationUrl(REQUEST));
    expect(url.origin + url.pathname).toBe('https://auth.example.com/authorize');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: 'acme client',
      redirect_uri: 'https://broker.example.com/oauth/callback',
      scope: 'offline_access api',
      state: 'st&te',
      code_challenge: 'ch4llenge',
      code_challenge_method: 'S256',
    });
  });

  it("keeps the configured URL's own query parameters, and sends no scope when none is configured", () => {
    const url = new URL(grant('https://auth.example.com/authorize?audience=api&prompt=consent').authorizationUrl(REQUEST));
    expect(url.searchParams.get('audience')).toBe('api');
    expect(url.searchParams.get('prompt')).toBe('consent');
    expect(url.searchParams.has('scope')).toBe(false);
  });

  it('exchanges the code with its verifier and the same redirect_uri, without a scope (RFC 6749 §4.1.3)', async () => {
    const credentials = { client_id: 'acme client', client_secret: 's' };
    const answer = await grant('https://auth.example.com/authorize', 'api').exchangeCode(
      { code: 'c0de', codeVerifier: 'v', redirectUri: REQUEST.redirectUri },
      credentials,
    );
    expect(answer.refreshToken).toBe('rt');
    expect(endpoint.request).toHaveBeenCalledWith(
      { grant_type: 'authorization_code', code: 'c0de', redirect_uri: REQUEST.redirectUri, code_verifier: 'v' },
      credentials,
      { withScope: false },
    );
  });
});
