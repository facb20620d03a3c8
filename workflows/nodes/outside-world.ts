// Checks shared by the nodes that reach the outside world (http, web_search, email, mcp, model
// tools): URL hosts against the flow's allowHosts, secret references, recipient domains. Pure
// code: validation runs in the API, the CLI and the workflow.
import { hostPortAllowed } from '../../activities/act/allowed-hosts';
import type { SecretText } from '../../activities/integrations/contracts';
import type { ParamReader } from '../flow/params';
import { renderSecretText, secretReferences, withoutSecrets } from '../flow/secret-refs';
import type { RunEngine } from '../flow/run-engine';
import type { FlowDefinition, JsonValue } from '../flow/types';

/** `scheme://host[:port]` at the start of a URL template, when that part is literal. */
const LITERAL_ORIGIN = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(\[[^\]{}]+\]|[^/:?#{}@]+)(?::(\d+))?(?=[/?#]|$)/;

export function allowHostsOf(flow: FlowDefinition | undefined): string[] {
  return Array.isArray(flow?.allowHosts) ? flow.allowHosts.filter((h): h is string => typeof h === 'string') : [];
}

/** The problem with a URL (template) under an allow-list, or undefined; unknowable hosts pass. */
export function urlProblem(url: string, allowHosts: readonly string[]): string | undefined {
  if (url.startsWith('{')) return undefined; // the whole origin comes from a variable: checked when the call runs
  const m = url.match(LITERAL_ORIGIN);
  if (!m) {
    if (!/^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^{]*\{/.test(url)) return `"${url.slice(0, 120)}" is not an http(s) URL`;
    return undefined; // a variable inside the host: checked at run time
  }
  const protocol = `${m[1].toLowerCase()}:`;
  if (protocol !== 'http:' && protocol !== 'https:') return `only http and https URLs are allowed, got ${m[1]}:`;
  const host = m[2].replace(/^\[|\]$/g, '');
  if (!hostPortAllowed(protocol, host, m[3] ?? '', allowHosts)) {
    return `host ${m[2]}${m[3] ? `:${m[3]}` : ''} is not in the flow's allowHosts (${allowHosts.length ? allowHosts.join(', ') : 'none: add allowHosts to the flow'})`;
  }
  return undefined;
}

/** Reads a URL template param and checks its host; returns the template for variable checks. */
export function urlParam(p: ParamReader, name: string, flow: FlowDefinition | undefined, opts: { required?: boolean } = {}): string | undefined {
  const url = p.str(name, opts);
  if (url === undefined) return undefined;
  if (/\{secret:/.test(url)) p.report(`params.${name}`, 'may not reference secrets (a URL ends up in logs and history); put them in headers');
  const problem = urlProblem(url.trim(), allowHostsOf(flow));
  if (problem) p.report(`params.${name}`, problem);
  return url;
}

/**
 * Reads a `name: text` object whose texts are templates that may reference secrets (headers).
 * Reports malformed secret references; returns the texts without secrets for template checks.
 */
export function secretTextMap(p: ParamReader, name: string): Record<string, string> {
  const obj = p.object(name);
  const templates: Record<string, string> = {};
  for (const [key, value] of Object.entries(obj ?? {})) {
    if (typeof value !== 'string') {
      p.report(`params.${name}.${key}`, `must be a string, got ${JSON.stringify(value)}`);
      continue;
    }
    for (const problem of secretReferences(value).problems) p.report(`params.${name}.${key}`, problem);
    templates[`params.${name}.${key}`] = withoutSecrets(value);
  }
  return templates;
}

/** A secret-bearing text param: `{secret:NAME}` references and templates. */
export function secretTextParam(p: ParamReader, name: string, opts: { required?: boolean } = {}): string | undefined {
  const text = p.str(name, opts);
  if (text === undefined) return undefined;
  for (const problem of secretReferences(text).problems) p.report(`params.${name}`, problem);
  return withoutSecrets(text);
}

/** Renders a secret-bearing map for an activity: variables now, secrets on the worker. */
export function renderSecretMap(engine: RunEngine, map: Record<string, JsonValue> | undefined): Record<string, SecretText> {
  return Object.fromEntries(Object.entries(map ?? {}).map(([k, v]) => [k, renderSecretText(String(v), engine.vars)]));
}

/** Refuses params that reference secrets where they are not allowed. */
export function noSecrets(p: ParamReader, field: string, text: string | undefined): void {
  if (text !== undefined && /\{secret:/.test(text)) p.report(field, 'may not reference secrets; only headers (and an SMTP password) may');
}
