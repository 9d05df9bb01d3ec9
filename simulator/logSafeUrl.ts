// Callback URLs carry credentials: our endpoint signs a token into the path, and other receivers
// put secrets in the query string or userinfo. Logs are read and shared far more widely than
// secrets should be, so they get only enough of a URL to tell which receiver it was.

/** `http://127.0.0.1:8787/callbacks/<token>?x=y` -> `http://127.0.0.1:8787/callbacks/…` */
export function logSafeUrl(url: string): string {
  const parsed = parse(url);
  // Unparseable means we cannot tell which part is secret.
  if (!parsed) return '<unparseable url>';
  // `origin` already leaves out any user:password@.
  const [first = '', ...rest] = parsed.pathname.split('/').slice(1);
  const more = rest.length > 0 ? '/…' : parsed.search || parsed.hash ? '?…' : '';
  return `${parsed.origin}/${first}${more}`;
}

/**
 * `text` with the URL and its secret parts masked. For messages we did not write (network
 * errors), which may quote the URL whole or in pieces.
 */
export function withoutUrlSecrets(text: string, url: string): string {
  let safe = text.split(url).join(logSafeUrl(url));
  const parsed = parse(url);
  if (!parsed) return safe;
  const secrets = [
    parsed.pathname.split('/').slice(2).join('/'),
    parsed.search.slice(1),
    parsed.hash.slice(1),
    parsed.username,
    parsed.password,
  ];
  // Short pieces are too likely to occur innocently, and too short to be a credential anyway.
  for (const secret of secrets) if (secret.length >= 8) safe = safe.split(secret).join('…');
  return safe;
}

function parse(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}
