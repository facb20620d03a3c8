import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startLocalRedis, type LocalRedis } from '../../../activities/streams/local-redis';
import { freePort } from '../../../scripts/temporal-dev-server';

export type TestRedis = LocalRedis;

/** A private redis-server on a free loopback port, without persistence. */
export async function startTestRedis(): Promise<TestRedis> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'par-redis-'));
  // A generous start deadline: redis-server is slow to come up on a loaded machine. The free port
  // may be taken by another process before redis-server binds it: then try another one.
  const start = async (attempt: number): Promise<LocalRedis> => {
    try {
      return await startLocalRedis({ port: await freePort(), dir, timeoutMs: 60_000 });
    } catch (err) {
      if (attempt >= 3) throw err;
      return start(attempt + 1);
    }
  };
  const redis = await start(1);
  return {
    ...redis,
    async stop() {
      await redis.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
