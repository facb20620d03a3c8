import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { authenticate, type AuthMode } from './auth/authenticate';
import { readJsonBody, DEFAULT_BODY_LIMIT } from './body';
import type { RequestContext } from './context';
import { ApiError, errorBody } from './errors';
import { loadOpenApi, schemaLookup, type OpenApiDocument } from './openapi';
import { Router } from './router';
import { validateBody } from './schema';
import type { ApiServices } from './services';
import type { SseOptions } from './sse';
import { toApiError } from './service-errors';
import { registerRoutes } from './routes';
import { applyCors } from './cors';
import { serveStudio } from './studio-static';
import type { StudioSignins } from './auth/studio-signin';

export interface ApiServerOptions {
  auth: AuthMode;
  services: ApiServices;
  bodyLimit?: number;
  sse?: Partial<SseOptions>;
  /** Origins browsers may call the API from (see cors.ts); none by default. */
  corsOrigins?: string[];
  /** Where failures that are not the caller's fault are logged. */
  log?: (line: string) => void;
  /** One-time studio sign-in tokens (POST /v1/studio/signin). */
  signins?: StudioSignins;
  /** The built studio served at /studio (default client/studio/dist). */
  studioDist?: string;
}

export interface ApiServer {
  server: http.Server;
  router: Router;
  openapi: OpenApiDocument;
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    if (!res.writableEnded) res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** The PAR HTTP API: JSON under /v1, SSE for streams, API keys on every route but health and the OpenAPI document. */
export function createApiServer(opts: ApiServerOptions): ApiServer {
  const openapi = loadOpenApi();
  const lookup = schemaLookup(openapi);
  const router = new Router();
  const sse: SseOptions = {
    keepAliveMs: opts.sse?.keepAliveMs ?? 15_000,
    idleTimeoutMs: opts.sse?.idleTimeoutMs ?? 120_000,
  };
  registerRoutes(router, { services: opts.services, openapi, sse, auth: opts.auth, signins: opts.signins });
  const bodyLimit = opts.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const log = opts.log ?? ((line: string) => console.error(line));

  const server = http.createServer(async (req, res) => {
    const requestId = randomUUID();
    res.setHeader('x-request-id', requestId);
    const ac = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) ac.abort();
    });
    try {
      if (applyCors(req, res, opts.corsOrigins ?? [])) return;
      const url = new URL(req.url ?? '/', 'http://localhost');
      const method = req.method ?? 'GET';
      if (url.pathname === '/healthz' && method === 'GET') return sendJson(res, 200, { ok: true, auth: opts.auth.kind });
      if (serveStudio(req, res, url.pathname, opts.studioDist)) return;
      const found = router.match(method, url.pathname);
      if (!found) throw new ApiError(404, 'not_found', `no route for ${method} ${url.pathname} (see GET /v1/openapi.json)`);
      if ('allowed' in found) {
        res.setHeader('allow', found.allowed.join(', '));
        throw new ApiError(405, 'method_not_allowed', `${method} is not allowed on ${url.pathname}; use ${found.allowed.join(' or ')}`);
      }
      const { route, params } = found;
      const principal = route.public ? { keyId: 'anonymous', name: 'anonymous', grants: { vaults: {}, flows: [] } } : await authenticate(req, opts.auth);
      let body: unknown;
      if (route.body) {
        body = await readJsonBody(req, bodyLimit);
        validateBody(body, { $ref: `#/components/schemas/${route.body}` }, lookup);
      } else {
        req.resume();
      }
      const ctx: RequestContext = { req, res, params, query: url.searchParams, body, principal, services: opts.services, signal: ac.signal };
      const result = await route.handler(ctx);
      if (!route.raw) sendJson(res, route.status ?? 200, result ?? { ok: true });
    } catch (err) {
      const apiErr = toApiError(err);
      if (apiErr.status >= 500) log(`[api] ${req.method} ${req.url} failed (request ${requestId}): ${(err as Error)?.stack ?? String(err)}`);
      // A refused body may still be arriving: answer, then close, instead of reading it all.
      const closeAfter: Record<string, string> = apiErr.status === 413 ? { connection: 'close' } : {};
      sendJson(res, apiErr.status, errorBody(apiErr), closeAfter);
    }
  });
  server.headersTimeout = 30_000;
  server.requestTimeout = 0; // SSE responses are long-lived; idle streams are ended by the relay.
  server.keepAliveTimeout = 5_000;
  return { server, router, openapi };
}
