import http from 'node:http';
import type { ParConfig } from '../../workers/config';

/** The PAR HTTP API. This first version answers health checks; /v1 comes with the service API. */
export function createApiServer(config: ParConfig): http.Server {
  return http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'GET' && url.pathname === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true, temporal: config.temporalAddress, namespace: config.temporalNamespace }));
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { code: 'not_found', message: `no route for ${req.method} ${url.pathname}` } }));
  });
}
