import { defineConfig } from 'vite';

// Served by the PAR API under /studio; everything is bundled (no CDN), so it works offline.
// Vite 8 compiles TSX with oxc itself: no React plugin (plugin-react 6's optional Babel peer
// conflicts with jest's Babel 7 in the one root lockfile, and a production build needs no fast refresh).
// `npx vite client/studio` serves the sources for development, sending /v1 to the API at PAR_API_URL.
const api = process.env.PAR_API_URL ?? 'http://127.0.0.1:8787';
const proxy = { '/v1': { target: api, changeOrigin: false } };

export default defineConfig({
  base: '/studio/',
  oxc: { jsx: { runtime: 'automatic' } },
  server: { host: '127.0.0.1', proxy },
  preview: { host: '127.0.0.1', proxy },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
    sourcemap: false,
  },
  logLevel: 'error',
});
