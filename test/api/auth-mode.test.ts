// How the API process decides to check keys, insecure local mode, and the `par keys` CLI.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveAuthMode, InsecureModeError } from '../../client/api/auth-mode';
import { ApiKeyStore } from '../../client/api/auth/key-store';
import { startTestApi } from './helpers/api';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'par-auth-'));

describe('auth mode', () => {
  test('keys are required by default', async () => {
    const mode = await resolveAuthMode({ dataDir: tmp(), host: '127.0.0.1', env: {}, argv: [] });
    expect(mode.kind).toBe('keys');
    if (mode.kind === 'keys') await mode.store.close();
  });

  test('insecure local mode needs the explicit flag and a loopback address', async () => {
    expect((await resolveAuthMode({ dataDir: tmp(), host: '127.0.0.1', env: { PAR_API_INSECURE_LOCAL: '1' }, argv: [] })).kind).toBe('insecure-local');
    expect((await resolveAuthMode({ dataDir: tmp(), host: '::1', env: {}, argv: ['--insecure-local'] })).kind).toBe('insecure-local');
    await expect(resolveAuthMode({ dataDir: tmp(), host: '0.0.0.0', env: { PAR_API_INSECURE_LOCAL: '1' }, argv: [] })).rejects.toThrow(InsecureModeError);
    await expect(resolveAuthMode({ dataDir: tmp(), host: '10.0.0.5', env: {}, argv: ['--insecure-local'] })).rejects.toThrow(/only allowed on a loopback address/);
  });

  test('an API in insecure local mode answers without a key and says so', async () => {
    const api = await startTestApi({ services: {}, insecureLocal: true });
    try {
      const health = (await (await fetch(`${api.url}/healthz`)).json()) as { auth: string };
      expect(health.auth).toBe('insecure-local');
      const who = (await (await fetch(`${api.url}/v1/whoami`)).json()) as { insecureLocal: boolean };
      expect(who.insecureLocal).toBe(true);
    } finally {
      await api.close();
    }
  });
});

test('CORS: only listed origins get headers; preflights are answered without a key', async () => {
  const api = await startTestApi({ services: {}, corsOrigins: ['https://chat.example'] });
  try {
    const pre = await fetch(`${api.url}/v1/chat/stream`, { method: 'OPTIONS', headers: { origin: 'https://chat.example', 'access-control-request-method': 'POST' } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('https://chat.example');
    expect(pre.headers.get('access-control-allow-headers')).toMatch(/authorization/);
    const other = await fetch(`${api.url}/v1/whoami`, { headers: { origin: 'https://evil.example' } });
    expect(other.status).toBe(401);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const allowed = await fetch(`${api.url}/v1/whoami`, { headers: { origin: 'https://chat.example' } });
    expect(allowed.status).toBe(401);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://chat.example');
  } finally {
    await api.close();
  }
});

describe('par keys', () => {
  const dataDir = tmp();
  const par = (...args: string[]) => {
    const r = spawnSync(process.execPath, [path.join(__dirname, '../../bin/par.js'), 'keys', ...args], {
      env: { ...process.env, PAR_DATA_DIR: dataDir },
      encoding: 'utf8',
    });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };

  // Each CLI start costs seconds on a busy machine, so few invocations cover the whole cycle.
  test('create prints the key once; list never shows it; revoke takes effect; bad grants are named', async () => {
    const created = par('create', '--grant', 'docs:read', '--grant', 'docs:write', '--flow', 'refund_approval', '--name', 'manager', '--json');
    expect(created.code).toBe(0);
    const key = JSON.parse(created.out) as { id: string; key: string; grants: unknown; name: string };
    expect(key.grants).toEqual({ vaults: { docs: 'write' }, flows: ['refund_approval'] });
    expect(key.key).toMatch(/^par_[0-9a-f]{16}_/);

    const store = await ApiKeyStore.open({ kind: 'sqlite', file: path.join(dataDir, 'api-keys.sqlite') });
    expect('principal' in (await store.verify(key.key))).toBe(true);
    await expect(store.create('manager', { vaults: { x: 'read' }, flows: [] })).rejects.toThrow(/already named "manager"/);
    expect(par('revoke', key.id).code).toBe(0);
    expect(await store.verify(key.key)).toEqual({ refused: expect.stringMatching(/revoked/) });
    expect(await store.revoke('nope')).toBe(false);
    await store.close();

    const listed = par('list', '--json');
    expect(listed.out).not.toContain(key.key.replace(/^par_[0-9a-f]{16}_/, ''));
    const keys = (JSON.parse(listed.out) as { keys: { id: string; revokedAt?: string }[] }).keys;
    expect(keys.map((k) => k.id)).toEqual([key.id]);
    expect(keys[0].revokedAt).toBeTruthy();

    const bad = par('create', '--grant', 'docs:owner', '--json');
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.out)).toEqual({ error: { code: 'bad_input', message: expect.stringMatching(/"docs:owner" is not VAULT:read, VAULT:write or VAULT:admin/) } });
  });
});
