// The PAR API process: `npm run api` (add --insecure-local, or PAR_API_INSECURE_LOCAL=1, to run
// without API keys on a loopback address during local development).
import { loadConfig } from '../../workers/config';
import { startTelemetry } from '../../workers/telemetry';
import { createStreamBus, setSharedStreamBus } from '../../activities/streams';
import { resolveAuthMode } from './auth-mode';
import { createApiServer } from './server';
import { connectServices } from './wiring';
import { DEFAULT_BODY_LIMIT } from './body';
import { sseOptionsFromEnv } from './sse';
import { corsOriginsFromEnv } from './cors';
import { StudioSignins } from './auth/studio-signin';
import { databaseTarget, prepareDatabases } from '../../activities/db';

async function main(): Promise<void> {
  const config = loadConfig();
  const telemetry = startTelemetry('par-api');
  if (telemetry) console.log(`[api] tracing to ${telemetry.endpoint}`);
  // A wrong, unreachable or too-new database stops the API here (main's catch prints one line).
  const where = await prepareDatabases();
  console.log(`[api] relational stores: ${where.join(', ')}`);
  const auth = await resolveAuthMode({ dataDir: config.dataDir, host: config.apiHost, env: process.env, argv: process.argv });
  const bus = createStreamBus();
  setSharedStreamBus(bus);
  const services = await connectServices(config, bus);
  const { server } = createApiServer({
    auth,
    services,
    bodyLimit: Number(process.env.PAR_API_BODY_LIMIT ?? DEFAULT_BODY_LIMIT),
    sse: sseOptionsFromEnv(),
    corsOrigins: corsOriginsFromEnv(),
    signins: auth.kind === 'keys' ? await StudioSignins.open(databaseTarget('keys', { ...process.env, PAR_DATA_DIR: config.dataDir })) : undefined,
  });
  server.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EADDRINUSE') console.error(`[api] port ${config.apiPort} on ${config.apiHost} is in use; stop what uses it or set PAR_API_PORT`);
    else console.error(`[api] failed: ${err.message}`);
    process.exit(1);
  });
  server.listen(config.apiPort, config.apiHost, () => {
    console.log(`[api] listening on ${config.apiUrl} (streams: ${process.env.PAR_REDIS_URL ? 'redis' : 'in-process'})`);
    if (auth.kind === 'insecure-local') {
      console.log('[api] WARNING: INSECURE LOCAL MODE: no API keys are checked; every caller has full access. Loopback only.');
    } else {
      console.log('[api] API keys required (Authorization: Bearer KEY); create one with `npx par keys create --grant VAULT:read`');
    }
  });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      server.close(() => void (telemetry?.shutdown() ?? Promise.resolve()).finally(() => process.exit(0)));
      server.closeAllConnections();
      void bus.close();
    });
  }
}

main().catch((err: Error) => {
  console.error(`[api] could not start: ${err.message}`);
  process.exit(1);
});
