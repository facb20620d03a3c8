import { Context } from '@temporalio/activity';
import { HTTP_METHODS, type HttpRequest, type HttpResult } from './contracts';
import { asActivity, IntegrationError } from './errors';
import { sendRequest } from './http-client';
import { SecretScope, SecretStore } from './secrets';

export interface IntegrationActivityDeps {
  secrets?: SecretStore;
  env?: NodeJS.ProcessEnv;
}

function activityContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined; // called directly, outside a Temporal activity
  }
}

function checkHttpRequest(req: HttpRequest): void {
  if (!req || typeof req !== 'object') throw new IntegrationError('bad_request', 'httpRequest needs a request object');
  if (!HTTP_METHODS.includes(req.method)) throw new IntegrationError('bad_request', `method must be one of ${HTTP_METHODS.join(', ')}, got ${JSON.stringify(req.method)}`);
  if (typeof req.url !== 'string' || !req.url) throw new IntegrationError('bad_request', 'url must be a non-empty string');
  if (!Array.isArray(req.allowHosts)) throw new IntegrationError('bad_request', 'allowHosts must be a list');
  if (!(req.timeoutMs > 0) || !(req.maxResponseBytes > 0)) throw new IntegrationError('bad_request', 'timeoutMs and maxResponseBytes must be positive');
}

/**
 * The activities of the nodes that reach the outside world. Secrets are resolved here, on the
 * worker, and scrubbed from results; errors leave as ApplicationFailures typed
 * `IntegrationError.<code>`, retryable only for the network, timeouts and 408/429/5xx.
 */
export function createIntegrationActivities(deps: IntegrationActivityDeps = {}) {
  const env = deps.env ?? process.env;
  let store = deps.secrets;
  const secrets = () => new SecretScope((store ??= new SecretStore(env)));

  async function httpRequest(req: HttpRequest): Promise<HttpResult> {
    const scope = secrets();
    return asActivity(async () => {
      checkHttpRequest(req);
      const headers = Object.fromEntries(Object.entries(req.headers ?? {}).map(([k, v]) => [k, scope.resolve(v)]));
      const result = await sendRequest({ ...req, headers, signal: activityContext()?.cancellationSignal });
      return scope.redactDeep(result);
    }, (t) => scope.redact(t));
  }

  return { httpRequest };
}

export type IntegrationActivities = ReturnType<typeof createIntegrationActivities>;
