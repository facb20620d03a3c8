import type { RequestContext } from './context';

export type Handler = (ctx: RequestContext) => Promise<unknown>;

export interface RouteOptions {
  /** Name of the request body schema in openapi.json's components.schemas. */
  body?: string;
  /** No API key needed (health, the OpenAPI document). */
  public?: boolean;
  /** The handler writes the response itself (SSE). */
  raw?: boolean;
  /** HTTP status of a successful JSON response. */
  status?: number;
}

export interface Route extends RouteOptions {
  method: string;
  path: string;
  segments: string[];
  handler: Handler;
}

/** Matches "/v1/vaults/{vault}/items"-style paths; parameters are URL-decoded. */
export class Router {
  readonly routes: Route[] = [];

  add(method: string, path: string, handler: Handler, opts: RouteOptions = {}): void {
    this.routes.push({ method, path, segments: path.split('/').filter(Boolean), handler, ...opts });
  }

  /** The route for a request, or which methods the path allows when only the method is wrong. */
  match(method: string, pathname: string): { route: Route; params: Record<string, string> } | { allowed: string[] } | undefined {
    const parts = pathname.split('/').filter(Boolean);
    const allowed: string[] = [];
    for (const route of this.routes) {
      const params = matchSegments(route.segments, parts);
      if (!params) continue;
      if (route.method === method) return { route, params };
      allowed.push(route.method);
    }
    return allowed.length ? { allowed } : undefined;
  }
}

function matchSegments(pattern: string[], parts: string[]): Record<string, string> | undefined {
  if (pattern.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i];
    if (p.startsWith('{') && p.endsWith('}')) {
      let value: string;
      try {
        value = decodeURIComponent(parts[i]);
      } catch {
        return undefined;
      }
      params[p.slice(1, -1)] = value;
    } else if (p !== parts[i]) return undefined;
  }
  return params;
}
