import { databaseTarget } from '../../activities/db';
import { ApiKeyStore } from './auth/key-store';
import { isLoopbackHost, type AuthMode } from './auth/authenticate';

export class InsecureModeError extends Error {
  override name = 'InsecureModeError';
}

/**
 * Keys are required unless the API is explicitly started in insecure local mode
 * (PAR_API_INSECURE_LOCAL=1 or --insecure-local), which is refused unless bound to loopback.
 */
export async function resolveAuthMode(opts: { dataDir: string; host: string; env: NodeJS.ProcessEnv; argv: string[] }): Promise<AuthMode> {
  const insecure = opts.env.PAR_API_INSECURE_LOCAL === '1' || opts.argv.includes('--insecure-local');
  if (insecure) {
    if (!isLoopbackHost(opts.host)) {
      throw new InsecureModeError(`insecure local mode (no API keys) is only allowed on a loopback address, but PAR_API_HOST is ${opts.host}`);
    }
    return { kind: 'insecure-local' };
  }
  // The keys database of this environment, with its data folder the API's own (PAR_DATABASE_URL wins).
  return { kind: 'keys', store: await ApiKeyStore.open(databaseTarget('keys', { ...opts.env, PAR_DATA_DIR: opts.dataDir })) };
}
