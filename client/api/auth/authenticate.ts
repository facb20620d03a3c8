import type http from 'node:http';
import { unauthorized } from '../errors';
import type { Principal } from './grants';
import type { ApiKeyStore } from './key-store';

export type AuthMode = { kind: 'keys'; store: ApiKeyStore } | { kind: 'insecure-local' };

export const LOCAL_DEVELOPER: Principal = {
  keyId: 'local',
  name: 'local developer (insecure local mode)',
  grants: { vaults: { '*': 'admin' }, flows: ['*'] },
  unrestricted: true,
};

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Who is calling: the key in "Authorization: Bearer KEY", or the local developer in insecure local mode. */
export async function authenticate(req: http.IncomingMessage, mode: AuthMode): Promise<Principal> {
  if (mode.kind === 'insecure-local') return LOCAL_DEVELOPER;
  const header = req.headers.authorization;
  if (!header) throw unauthorized('an API key is required: send "Authorization: Bearer KEY" (create one with `par keys create`)');
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!m) throw unauthorized('the Authorization header must be "Bearer KEY"');
  const result = await mode.store.verify(m[1]);
  if ('refused' in result) throw unauthorized(result.refused);
  return result.principal;
}
