import type http from 'node:http';

/**
 * Browsers on other origins (a web chat calling the API directly) need CORS. Only the origins
 * listed in PAR_API_CORS_ORIGINS (comma-separated, or "*") are allowed; none by default.
 */
export function corsOriginsFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.PAR_API_CORS_ORIGINS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Sets the CORS headers for an allowed origin; true when this was a preflight, now answered. */
export function applyCors(req: http.IncomingMessage, res: http.ServerResponse, allowed: string[]): boolean {
  const origin = req.headers.origin;
  if (!origin || !allowed.length || !(allowed.includes('*') || allowed.includes(origin))) return false;
  res.setHeader('access-control-allow-origin', origin);
  res.setHeader('vary', 'Origin');
  res.setHeader('access-control-expose-headers', 'x-request-id, x-par-stream');
  if (req.method !== 'OPTIONS') return false;
  res.writeHead(204, {
    'access-control-allow-methods': 'GET, POST, PUT, PATCH, DELETE',
    'access-control-allow-headers': 'authorization, content-type, last-event-id',
    'access-control-max-age': '600',
  });
  res.end();
  return true;
}
