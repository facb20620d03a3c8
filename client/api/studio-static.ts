import fs from 'node:fs';
import path from 'node:path';
import type http from 'node:http';
import { ROOT_DIR } from '../../workers/config';

/** Where the studio's set-up step (Vite) puts the built files. */
export const STUDIO_DIST = path.join(ROOT_DIR, 'client', 'studio', 'dist');
export const STUDIO_PATH = '/studio';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

// The studio's own files only: scripts and styles from this origin, data from this API (fetch with
// a key), nothing framed. Inline styles are allowed because the canvas and editor position with them.
const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; frame-ancestors 'none'; base-uri 'self'; form-action 'none'",
};

function send(res: http.ServerResponse, status: number, headers: Record<string, string | number>, body?: Buffer | string, head = false): void {
  res.writeHead(status, { ...SECURITY_HEADERS, ...headers });
  res.end(head ? undefined : body);
}

/**
 * Serves the built studio under /studio: files from its dist folder with their content types,
 * hashed assets cached for a year, index.html (never cached) for every client route. The files
 * hold no data: every data call the studio makes needs an API key. Returns false for other paths.
 */
export function serveStudio(req: http.IncomingMessage, res: http.ServerResponse, pathname: string, dist = STUDIO_DIST): boolean {
  if (pathname !== STUDIO_PATH && !pathname.startsWith(`${STUDIO_PATH}/`)) return false;
  const method = req.method ?? 'GET';
  const head = method === 'HEAD';
  if (method !== 'GET' && !head) {
    send(res, 405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }, 'the studio is static: GET only\n');
    return true;
  }
  if (pathname === STUDIO_PATH) {
    send(res, 308, { location: `${STUDIO_PATH}/` }, undefined);
    return true;
  }
  const index = path.join(dist, 'index.html');
  if (!fs.existsSync(index)) {
    send(res, 503, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }, `the studio is not built (no ${path.relative(ROOT_DIR, index)}): run \`npm run setup\` (npm start builds it)\n`, head);
    return true;
  }
  let rel: string;
  try {
    rel = decodeURIComponent(pathname.slice(STUDIO_PATH.length + 1));
  } catch {
    send(res, 400, { 'content-type': 'text/plain; charset=utf-8' }, 'bad path\n', head);
    return true;
  }
  const root = path.resolve(dist);
  const file = path.resolve(root, rel);
  // No way out of the dist folder: no "..", no absolute paths, no NUL, no dot-files.
  if (rel.includes('\0') || (file !== root && !file.startsWith(root + path.sep)) || rel.split(/[\\/]/).some((part) => part.startsWith('.'))) {
    send(res, 404, { 'content-type': 'text/plain; charset=utf-8' }, 'not found\n', head);
    return true;
  }
  const stat = rel ? fs.statSync(file, { throwIfNoEntry: false }) : undefined;
  if (stat?.isFile()) {
    const immutable = rel.startsWith('assets/');
    send(res, 200, { 'content-type': TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream', 'content-length': stat.size, 'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache' }, fs.readFileSync(file), head);
    return true;
  }
  // A missing asset is a 404 (not the app page, which would be parsed as a script); any other path is a client route.
  if (path.extname(rel) && rel.startsWith('assets/')) {
    send(res, 404, { 'content-type': 'text/plain; charset=utf-8' }, 'not found\n', head);
    return true;
  }
  const html = fs.readFileSync(index);
  send(res, 200, { 'content-type': TYPES['.html'], 'content-length': html.length, 'cache-control': 'no-cache' }, html, head);
  return true;
}
