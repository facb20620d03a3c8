// The PAR API process: `npm run api`.
import { loadConfig } from '../../workers/config';
import { createApiServer } from './server';

const config = loadConfig();
const server = createApiServer(config);
server.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EADDRINUSE') console.error(`[api] port ${config.apiPort} on ${config.apiHost} is in use; stop what uses it or set PAR_API_PORT`);
  else console.error(`[api] failed: ${err.message}`);
  process.exit(1);
});
server.listen(config.apiPort, config.apiHost, () => console.log(`[api] listening on ${config.apiUrl}`));
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => server.close(() => process.exit(0)));
