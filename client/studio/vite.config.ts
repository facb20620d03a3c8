import { defineConfig } from 'vite';

// Served by the PAR API under /studio; everything is bundled (no CDN), so it works offline.
// Vite 8 compiles TSX with oxc itself: no React plugin (plugin-react 6's optional Babel peer
// conflicts with jest's Babel 7 in the one root lockfile, and a production build needs no fast refresh).
export default defineConfig({
  base: '/studio/',
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
    sourcemap: false,
  },
  logLevel: 'warn',
});
