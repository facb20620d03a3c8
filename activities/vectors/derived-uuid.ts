import { createHash } from 'node:crypto';

/**
 * A UUID derived from its parts (sha256 of the parts joined by NUL). Vector ids must be UUIDs
 * (Qdrant accepts nothing else), and a derived id makes writing the same thing again an overwrite
 * instead of a duplicate. Shaped as an RFC 4122 version-5-style id so strict parsers accept it.
 *
 * `variantNibble` fixes the variant digit instead of deriving it from the hash: vault item ids
 * (stableItemId) were minted with "a" before this helper existed, and ids already stored must
 * come out the same.
 */
export function derivedUuid(parts: readonly string[], opts: { variantNibble?: string } = {}): string {
  const h = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  const variant = opts.variantNibble ?? ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
