// Email recipients under a flow's allowEmailDomains. Pure: validation and workflows use it too.

const ADDRESS = /^[^\s@<>,;"]+@([^\s@<>,;"]+\.[^\s@<>,;"]+|localhost)$/;

export function validAddress(address: string): boolean {
  return ADDRESS.test(address);
}

/**
 * Whether an address may receive mail: an entry is a domain ("example.com"), its subdomains
 * ("*.example.com") or one address ("ada@example.com"). Nothing is allowed by default.
 */
export function recipientAllowed(address: string, allowDomains: readonly string[]): boolean {
  if (!validAddress(address)) return false;
  const lower = address.toLowerCase();
  const domain = lower.slice(lower.lastIndexOf('@') + 1);
  return allowDomains.some((entry) => {
    const e = entry.toLowerCase();
    if (e.includes('@') && !e.startsWith('*@')) return e === lower;
    const d = e.startsWith('*@') ? e.slice(2) : e;
    if (d.startsWith('*.')) return domain.endsWith(d.slice(1)) && domain.length > d.length - 1;
    return domain === d;
  });
}

/** Addresses in a rendered recipient value: a string (comma-separated allowed) or a list of them. */
export function recipientList(value: unknown): string[] {
  const items = Array.isArray(value) ? value : [value];
  return items
    .flatMap((v) => (typeof v === 'string' ? v.split(/[,;]/) : v === null || v === undefined ? [] : [JSON.stringify(v)]))
    .map((s) => s.trim())
    .filter(Boolean);
}
