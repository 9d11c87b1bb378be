/** Pages of the connect flow: no scripts, no external assets, nothing to load but the page itself. */
export const CONNECT_PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'";

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#1f2328}
h1{font-size:1.4rem}.ok{color:#1a7f37}.failed{color:#cf222e}code{background:#f6f8fa;padding:0 .2rem}
label{display:block;font-weight:600;margin:1rem 0 .3rem}input{width:100%;padding:.4rem;font:inherit;box-sizing:border-box}
button{margin-top:1rem;padding:.5rem 1rem;font:inherit;font-weight:600}p.problem{color:#cf222e}`;

/** A page of the flow: `lines` are the broker's own text (escaped here), `code` in backticks. */
export interface ConnectPageContent {
  title: string;
  tone: 'ok' | 'failed' | 'neutral';
  lines: string[];
}

/** What the status page's Connect link opens: the admin token goes in a POST body, never in a URL. */
export function renderConnectForm(provider: string, problem?: string): string {
  const id = escape(provider);
  return page(
    `Connect ${provider}`,
    `<h1>Connect ${id}</h1>
<p>The broker sends you to ${id}'s authorization server. Sign in there as the account the broker should act for, and approve the access.
You come back here; the refresh token is stored encrypted and never shown.</p>
${problem ? `<p class="problem" role="alert">${escape(problem)}</p>` : ''}
<form method="post" action="/admin/connect/${encodeURIComponent(provider)}">
<label for="admin_token">Admin token (<code>BROKER_ADMIN_TOKEN</code>)</label>
<input id="admin_token" name="admin_token" type="password" required autocomplete="off" autofocus>
<button type="submit">Continue to the authorization server</button>
</form>`,
  );
}

export function renderConnectOutcome({ title, tone, lines }: ConnectPageContent): string {
  const paragraphs = lines.map((line) => `<p>${escape(line).replace(/`([^`]+)`/g, '<code>$1</code>')}</p>`).join('\n');
  return page(title, `<h1 class="${tone}">${escape(title)}</h1>\n${paragraphs}\n<p><a href="/">Status page</a></p>`);
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escape(title)} - token-broker</title>
<style>${STYLE}</style>
</head><body><main>
${body}
</main></body></html>`;
}

function escape(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
