// The secrets a configuration carries (docs/security.md, "Secrets never logged"): the MQTT and
// central-service credentials, the bearer token, credentials inside URLs, and a client key given as
// PEM text. The composition root passes every human-readable and structured log line through
// `secretScrubber` so that no code path — a driver's error message, a URL in a warning — can print
// one, even where the message was built without thinking of redaction.
import type { StationConfig } from '../../shared/config/schema.ts';

/** Shorter values are not scrubbed: they would blank out ordinary words and prove nothing. */
const MIN_SECRET = 4;
const URL_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/)[^/@\s:]*:[^/@\s]*@/gi;

function urlSecrets(url: string | undefined): string[] {
  if (!url) return [];
  try {
    const u = new URL(url);
    return [decodeURIComponent(u.password), u.password];
  } catch {
    return [];
  }
}

export function configSecrets(config: Pick<StationConfig, 'mqtt' | 'central'>): string[] {
  const c = config.central;
  const values = [
    config.mqtt.password,
    c.token,
    ...urlSecrets(config.mqtt.url),
    ...urlSecrets(c.url),
    // A key given inline (PEM text); a file path is not a secret, its contents are never logged.
    c.clientKey?.includes('-----BEGIN') ? c.clientKey : undefined,
  ];
  return [...new Set(values.filter((v): v is string => typeof v === 'string' && v.length >= MIN_SECRET))];
}

/**
 * A function that blanks every secret out of a line: the values as they are, JSON-escaped (for
 * structured log lines), and any user:password@ in a URL.
 */
export function secretScrubber(secrets: readonly string[]): (text: string) => string {
  const forms = [...new Set(secrets.flatMap((s) => [s, JSON.stringify(s).slice(1, -1), encodeURIComponent(s)]))]
    .filter((s) => s.length >= MIN_SECRET)
    // Longest first, so a secret that contains another is replaced whole.
    .sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text.replace(URL_CREDENTIALS, '$1***:***@');
    for (const f of forms) if (out.includes(f)) out = out.split(f).join('***');
    return out;
  };
}
