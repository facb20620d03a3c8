import { createCallHandler } from '../../activities/act/host-channel';
import { parseChildMessage, ProtocolViolation } from '../../activities/act/protocol';
import { recordingHost } from './act-fixture';

// What the worker accepts from a sandbox: a script may write anything on the channel.

describe('sandbox messages', () => {
  test('well-formed messages parse; errors keep only known limits', () => {
    expect(parseChildMessage('{"t":"out","s":"hi\\n"}')).toEqual({ t: 'out', s: 'hi\n' });
    expect(parseChildMessage('{"t":"result","ok":false,"saved":{},"error":{"type":"X","message":"m","limit":"disk"}}')).toEqual({
      t: 'result',
      ok: false,
      saved: {},
      error: { type: 'X', message: 'm' },
    });
  });

  test.each([
    ['not json', /not JSON/],
    ['[1,2]', /not an object/],
    ['{"t":"shell","cmd":"rm -rf /"}', /unknown sandbox message type "shell"/],
    ['{"t":"out","s":5}', /out.s must be a string/],
    ['{"t":"call","op":"vault.search","args":[]}', /call needs op/],
    ['{"t":"result","ok":true,"saved":[]}', /result needs ok/],
    ['{"t":"result","ok":false,"saved":{}}', /a failed result needs an error/],
  ])('%s is a protocol violation', (line, message) => {
    expect(() => parseChildMessage(line)).toThrow(ProtocolViolation);
    expect(() => parseChildMessage(line)).toThrow(message);
  });
});

describe('the worker side of vault and web calls', () => {
  const signal = new AbortController().signal;

  test('requests are validated before the host sees them', async () => {
    const host = recordingHost();
    const handle = createCallHandler(host, { vault: 'docs', allowedHosts: [], maxCalls: 10 });
    expect(await handle('vault.search', { query: 42 as never, n: 1 }, signal)).toEqual({ ok: false, error: { type: 'ValueError', message: 'vault.search: query must be a string' } });
    expect(await handle('vault.search', { query: 'q', n: 0 }, signal)).toMatchObject({ ok: false, error: { type: 'ValueError' } });
    expect(await handle('vault.search', { query: 'x'.repeat(10_001), n: 1 }, signal)).toMatchObject({ ok: false, error: { message: expect.stringMatching(/10001 characters/) } });
    expect(await handle('fs.read', { path: '/etc/passwd' }, signal)).toEqual({ ok: false, error: { type: 'ValueError', message: 'unknown request "fs.read"' } });
    expect(host.calls).toEqual([]);
    expect(await handle('vault.search', { query: 'q', n: 1 }, signal)).toMatchObject({ ok: true, value: [{ id: 'a1', text: 'refund policy of docs' }] });
  });

  test('a run may make only so many calls', async () => {
    const handle = createCallHandler(recordingHost(), { vault: 'docs', allowedHosts: [], maxCalls: 2 });
    await handle('vault.chat', { message: 'a' }, signal);
    await handle('vault.chat', { message: 'b' }, signal);
    expect(await handle('vault.chat', { message: 'c' }, signal)).toEqual({ ok: false, error: { type: 'PermissionError', message: 'the script made more than 2 vault/web calls in one run' } });
  });

  test('a failing host becomes a VaultError for the script, not a worker failure', async () => {
    const host = { ...recordingHost(), search: async () => Promise.reject(new Error('vector store down')) };
    const handle = createCallHandler(host, { vault: 'docs', allowedHosts: [], maxCalls: 5 });
    expect(await handle('vault.search', { query: 'q', n: 1 }, signal)).toEqual({ ok: false, error: { type: 'VaultError', message: 'vault.search failed: vector store down' } });
  });

  test('web requests to hosts the node does not list are refused without a request', async () => {
    let fetched = 0;
    const host = { ...recordingHost(), fetch: async () => (fetched++, { status: 200, url: '', headers: {}, text: '' }) };
    const handle = createCallHandler(host, { allowedHosts: [], maxCalls: 5 });
    expect(await handle('web.fetch', { method: 'GET', url: 'http://169.254.169.254/latest/meta-data', headers: {} }, signal)).toMatchObject({
      ok: false,
      error: { type: 'PermissionError', message: expect.stringMatching(/169\.254\.169\.254 is not allowed: this act node allows no hosts/) },
    });
    expect(await handle('web.fetch', { method: 'DELETE', url: 'http://a/', headers: {} }, signal)).toMatchObject({ ok: false, error: { type: 'ValueError' } });
    const listed = createCallHandler(host, { allowedHosts: ['api.example.com'], maxCalls: 5 });
    expect(await listed('web.fetch', { method: 'GET', url: 'https://evil.example.net/', headers: {} }, signal)).toEqual({
      ok: false,
      error: { type: 'PermissionError', message: "web: evil.example.net is not in this act node's allowed hosts (api.example.com)" },
    });
    expect(await listed('web.fetch', { method: 'GET', url: 'https://api.example.com/v1', headers: {} }, signal)).toMatchObject({ ok: true });
    expect(fetched).toBe(1);
  });
});
