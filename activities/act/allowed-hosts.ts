/**
 * Whether a URL may be fetched under a node's allowedHosts. An entry is "host" (any port),
 * "host:port" (that port only) or "*.domain" (subdomains of domain, any port). Only http and
 * https; host names compare case-insensitively; nothing is allowed by default.
 */
export function hostAllowed(url: URL, allowedHosts: readonly string[]): boolean {
  return hostPortAllowed(url.protocol, url.hostname, url.port, allowedHosts);
}

/** hostAllowed on a URL's parts (pure: workflow code and validation use it without URL). */
export function hostPortAllowed(protocol: string, hostname: string, port: string, allowedHosts: readonly string[]): boolean {
  if (protocol !== 'http:' && protocol !== 'https:') return false;
  const host = hostname.toLowerCase();
  const effectivePort = port || (protocol === 'https:' ? '443' : '80');
  return allowedHosts.some((entry) => {
    const e = entry.toLowerCase();
    const bracketEnd = e.startsWith('[') ? e.indexOf(']') : -1;
    const colon = bracketEnd >= 0 ? e.indexOf(':', bracketEnd) : e.lastIndexOf(':');
    const entryHost = colon >= 0 ? e.slice(0, colon) : e;
    const entryPort = colon >= 0 ? e.slice(colon + 1) : undefined;
    if (entryPort !== undefined && entryPort !== effectivePort) return false;
    if (entryHost.startsWith('*.')) return host.endsWith(entryHost.slice(1)) && host.length > entryHost.length - 1;
    return host === entryHost;
  });
}

const ENTRY = /^(\*\.)?([a-z0-9-]+(\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(:\d{1,5})?$/i;

/** Whether an allow-list entry has one of the forms above. */
export function validHostEntry(entry: string): boolean {
  return ENTRY.test(entry);
}
