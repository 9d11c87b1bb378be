import { ConfigError } from '@app/errors';

/**
 * ALERT_WEBHOOK_URLS: comma-separated http(s) URLs without user info, kept exactly as given (a
 * receiver may need its trailing slash). Errors name the entry's position, not its value: a
 * webhook URL usually carries its own secret.
 */
export function parseAlertWebhookUrls(value: string | undefined): string[] {
  const entries = (value ?? '').split(',').map((entry) => entry.trim());
  if (entries.every((entry) => entry === '')) return [];
  return entries.map((entry, index) => {
    if (!isPlainHttpUrl(entry)) {
      const rule = 'must be an http(s) URL without credentials (value not shown: it may hold a secret)';
      throw new ConfigError(`ALERT_WEBHOOK_URLS entry ${index + 1} ${rule}`);
    }
    return entry;
  });
}

function isPlainHttpUrl(entry: string): boolean {
  try {
    const url = new URL(entry);
    return (url.protocol === 'http:' || url.protocol === 'https:') && !url.username && !url.password;
  } catch {
    return false;
  }
}
