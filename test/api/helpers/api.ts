import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { MemoryStreamBus, type AbortableStreamBus } from '../../../activities/streams';
import { ApiKeyStore } from '../../../client/api/auth/key-store';
import type { Grants } from '../../../client/api/auth/grants';
import { createApiServer, type ApiServer } from '../../../client/api/server';
import type { ApiServices } from '../../../client/api/services';
import type { SseOptions } from '../../../client/api/sse';
import { ParClient } from '../../../client/sdk';
import type { StudioSignins } from '../../../client/api/auth/studio-signin';

export interface TestApi {
  url: string;
  dataDir: string;
  keys: ApiKeyStore;
  api: ApiServer;
  /** A client holding a new key with these grants. */
  clientWith(grants: Partial<Grants>, name?: string): Promise<{ client: ParClient; key: string; keyId: string }>;
  /** Raw requests with a key, for asserting on status codes and error bodies. */
  call(key: string): (method: string, path: string, body?: unknown) => Promise<{ status: number; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any
  close(): Promise<void>;
}

/** A real API server on a loopback port with its own data folder and key store. */
export async function startTestApi(opts: {
  services: Omit<ApiServices, 'bus'> & { bus?: AbortableStreamBus };
  dataDir?: string;
  bodyLimit?: number;
  sse?: Partial<SseOptions>;
  insecureLocal?: boolean;
  corsOrigins?: string[];
  /** Studio sign-in tokens, and where the built studio is (see client/api/server.ts). */
  signins?: StudioSignins;
  studioDist?: string;
}): Promise<TestApi> {
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'par-api-'));
  const keys = await ApiKeyStore.open({ kind: 'sqlite', file: path.join(dataDir, 'api-keys.sqlite') });
  const bus = opts.services.bus ?? new MemoryStreamBus();
  const logged: string[] = [];
  const api = createApiServer({
    auth: opts.insecureLocal ? { kind: 'insecure-local' } : { kind: 'keys', store: keys },
    services: { ...opts.services, bus },
    bodyLimit: opts.bodyLimit,
    sse: opts.sse,
    corsOrigins: opts.corsOrigins,
    signins: opts.signins,
    studioDist: opts.studioDist,
    log: (l) => logged.push(l),
  });
  await new Promise<void>((resolve) => api.server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`;
  return {
    url,
    dataDir,
    keys,
    api,
    async clientWith(grants, name) {
      const k = await keys.create(name, { vaults: grants.vaults ?? {}, flows: grants.flows ?? [] });
      return { client: new ParClient({ baseUrl: url, apiKey: k.key }), key: k.key, keyId: k.id };
    },
    call(key) {
      return async (method, path, body) => {
        const res = await fetch(url + path, {
          method,
          headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
          body: body !== undefined ? JSON.stringify(body) : undefined,
        });
        return { status: res.status, body: await res.json() };
      };
    },
    async close() {
      api.server.closeAllConnections();
      await new Promise((r) => api.server.close(r));
      if (!opts.services.bus) await bus.close();
      await keys.close();
      if (logged.length) console.log(`API log:\n${logged.join('\n')}`);
    },
  };
}
