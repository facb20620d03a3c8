import { HTTP_METHODS, type HttpMethod } from '../../activities/integrations/contracts';
import { httpActivities } from '../flow/integration-activities';
import type { ParamReader } from '../flow/params';
import type { JsonValue } from '../flow/types';
import { next, type NodeSpec } from './node-spec';
import { variableParam } from './param-specs';
import { allowHostsOf, noSecrets, renderSecretMap, secretTextMap, urlParam, urlProblem } from './outside-world';

export const HTTP_DEFAULT_TIMEOUT_MS = 30_000;
export const HTTP_DEFAULT_MAX_RESPONSE_BYTES = 1_000_000;
/** A response rides in history as the activity's result; Temporal refuses payloads over 2 MB. */
export const HTTP_MAX_RESPONSE_BYTES = 1_500_000;
export const HTTP_DEFAULT_RETRIES = 3;

/** Every string inside a JSON value, by field path, for template checks. */
export function stringLeaves(value: JsonValue | undefined, path: string, out: Record<string, string> = {}): Record<string, string> {
  if (typeof value === 'string') out[path] = value;
  else if (Array.isArray(value)) value.forEach((v, i) => stringLeaves(v, `${path}.${i}`, out));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) stringLeaves(v, `${path}.${k}`, out);
  return out;
}

function limits(p: ParamReader) {
  return {
    timeoutMs: p.duration('timeout', { min: 100 }) ?? HTTP_DEFAULT_TIMEOUT_MS,
    maxResponseBytes: p.num('maxResponseBytes', { min: 1, max: HTTP_MAX_RESPONSE_BYTES, integer: true }) ?? HTTP_DEFAULT_MAX_RESPONSE_BYTES,
    retries: p.num('retries', { min: 0, max: 10, integer: true }) ?? HTTP_DEFAULT_RETRIES,
  };
}

/**
 * One HTTP request to a host in the flow's allowHosts. The response ({status, headers, body})
 * goes into `variable`; 2xx and 3xx take `next`, any other final status fails the node (its
 * `error` output) after 408/429/5xx were retried.
 */
export const httpNode: NodeSpec = {
  type: 'http',
  title: 'HTTP request',
  category: 'integration',
  description: "One HTTP request to a host in the flow's allowHosts; the response {status, headers, body} into a variable.",
  params: [
    { name: 'url', kind: 'template', required: true, description: "URL (a template); its host must be in the flow's allowHosts", example: 'https://api.example.com/orders/{amount}' },
    { name: 'method', kind: 'enum', enum: [...HTTP_METHODS], default: 'GET', description: 'HTTP method', example: 'POST' },
    { name: 'headers', kind: 'object', description: 'header name -> template; may reference {secret:NAME}', example: { authorization: 'Bearer {secret:API_TOKEN}' } },
    { name: 'body', kind: 'json', description: 'a text template, or JSON (sent as application/json) whose strings are templates', example: { amount: '{amount}' } },
    variableParam('variable the response {status, headers, body} is written to'),
    { name: 'timeout', kind: 'duration', default: '30 seconds', description: 'per attempt, from request to last byte', example: '10 seconds' },
    { name: 'maxResponseBytes', kind: 'integer', default: HTTP_DEFAULT_MAX_RESPONSE_BYTES, min: 1, max: HTTP_MAX_RESPONSE_BYTES, description: 'larger responses are refused', example: 100_000 },
    { name: 'retries', kind: 'integer', default: HTTP_DEFAULT_RETRIES, min: 0, max: 10, description: 'retries of 408, 429, 5xx, timeouts and network errors', example: 1 },
  ],
  outputs: { names: ['next'] },
  shape(p, flow) {
    p.str('method', { oneOf: HTTP_METHODS });
    const url = urlParam(p, 'url', flow, { required: true });
    const headers = secretTextMap(p, 'headers');
    const body = p.raw('body');
    const bodyTemplates = stringLeaves(body, 'params.body');
    for (const [field, text] of Object.entries(bodyTemplates)) noSecrets(p, field, text);
    limits(p);
    const variable = p.str('variable');
    return { outputs: ['next'], writes: variable ? [variable] : [], templates: { 'params.url': url, ...headers, ...bodyTemplates } };
  },
  async run(_node, p, engine) {
    const method = (p.str('method') ?? 'GET') as HttpMethod;
    const url = engine.render(p.str('url')!).trim();
    const allowHosts = allowHostsOf(engine.definition);
    const refused = urlProblem(url, allowHosts);
    if (refused) throw new Error(`url ${refused}`);
    const headers = renderSecretMap(engine, p.object('headers'));
    const rawBody = p.raw('body');
    let body: string | undefined;
    if (typeof rawBody === 'string') body = engine.render(rawBody);
    else if (rawBody !== undefined) {
      body = JSON.stringify(engine.renderValue(rawBody));
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = ['application/json'];
    }
    const { timeoutMs, maxResponseBytes, retries } = limits(p);
    const response = await httpActivities(timeoutMs, retries + 1).httpRequest({ method, url, headers, body, allowHosts, timeoutMs, maxResponseBytes });
    const variable = p.str('variable');
    if (variable) engine.setVariable(variable, { status: response.status, headers: response.headers, body: response.body });
    engine.detail({ status: response.status });
    if (response.status >= 400) throw new Error(`${method} ${url} answered ${response.status}`);
    return next();
  },
};
