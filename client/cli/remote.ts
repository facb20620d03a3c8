import { ParClient, ParApiError } from '../sdk';
import { loadConfig, readStackState } from '../../workers/config';
import { exitCodeForApiError } from '../error-codes';
import { CliError } from './output';

/**
 * Remote mode: with PAR_API_KEY set, commands that support it go through the HTTP API (at
 * PAR_API_URL, else the local stack's API) with the typed client, instead of talking to Temporal
 * directly. The server checks the key's grants and records it as the decider of approvals.
 */
export function remoteClient(env: NodeJS.ProcessEnv = process.env): ParClient | undefined {
  const apiKey = env.PAR_API_KEY;
  if (!apiKey) return undefined;
  const config = loadConfig(env);
  const baseUrl = env.PAR_API_URL || readStackState(config)?.apiUrl || config.apiUrl;
  return new ParClient({ baseUrl, apiKey });
}

/** Runs a remote call, turning API errors into CLI errors that keep the server's code and message. */
export async function viaApi<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ParApiError) throw new CliError(`API ${err.status} ${err.code}: ${err.message}`, exitCodeForApiError(err), err.code);
    if (err instanceof TypeError && /fetch failed/.test(err.message)) throw new CliError(`the PAR API does not answer (${(err.cause as Error | undefined)?.message ?? err.message}); check PAR_API_URL`, 1, 'api_unreachable');
    throw err;
  }
}
