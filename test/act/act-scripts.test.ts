import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { actFixture, describeWithSandbox, type ActFixture } from './act-fixture';

describeWithSandbox('act scripts', () => {
let act: ActFixture;
beforeAll(async () => {
  act = await actFixture();
});
afterAll(async () => act?.close());

test('flow variables arrive as globals with MESSAGE and HISTORY; save[...] writes variables back', async () => {
  const result = await act.run(
    `
total = sum(item["price"] * item["qty"] for item in order["items"])
save["refund"] = round(total * rate, 2)
save["summary"] = {"customer": customer, "lines": len(order["items"]), "asked": MESSAGE, "turns": len(HISTORY)}
save["odd-name"] = VARIABLES["odd-name"] + 1
print("refund", save["refund"])
`,
    {
      variables: { customer: 'Ada', rate: 0.5, order: { items: [{ price: 10, qty: 2 }, { price: 5.5, qty: 1 }] }, 'odd-name': 41 },
      message: 'I want a refund',
      history: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: 'hello' },
      ],
    },
  );
  expect(result.ok).toBe(true);
  expect(result.saved).toEqual({ refund: 12.75, summary: { customer: 'Ada', lines: 2, asked: 'I want a refund', turns: 2 }, 'odd-name': 42 });
  expect(result.output).toBe('refund 12.75\n');
  expect(result.error).toBeUndefined();
});

test('a value that is not JSON is refused at save[...] with the key named, and earlier saves are kept', async () => {
  const result = await act.run('save["fine"] = [1, "two", None]\nsave["tags"] = {"a", "b"}\nprint("not reached")');
  expect(result.ok).toBe(false);
  expect(result.error).toMatchObject({ type: 'SaveError' });
  expect(result.error!.message).toMatch(/save\['tags'\] is a set, which is not a JSON value/);
  expect(result.error!.traceback).toMatch(/line 2/);
  expect(result.saved).toEqual({ fine: [1, 'two', null] });
  expect(result.output).toBe('');
});

test('non-JSON values nested inside a saved value, or changed after saving, are caught too', async () => {
  const nested = await act.run('save["data"] = {"when": object()}');
  expect(nested.error!.message).toMatch(/save\['data'\]\['when'\] is a object/);
  const later = await act.run('box = []\nsave["box"] = box\nbox.append(float("nan"))');
  expect(later.ok).toBe(false);
  expect(later.error!.message).toMatch(/save\['box'\]\[0\] is nan, which JSON cannot represent \(it was changed after it was saved\)/);
});

test('an exception fails the run with its type, message and a traceback of the script, after the output so far', async () => {
  const result = await act.run('print("checking")\ndef check(amount):\n    raise ValueError(f"amount {amount} is negative")\ncheck(-5)\n');
  expect(result.ok).toBe(false);
  expect(result.output).toBe('checking\n');
  expect(result.error).toMatchObject({ type: 'ValueError', message: 'amount -5 is negative' });
  expect(result.error!.traceback).toContain('File "<act>", line 4, in <module>');
  expect(result.error!.traceback).toContain('File "<act>", line 3, in check');
  expect(result.error!.traceback).toContain('raise ValueError(f"amount {amount} is negative")');
  expect(result.error!.traceback).not.toContain('par-act-prelude');
  expect(result.error!.limit).toBeUndefined();
});

test('a syntax error names the line', async () => {
  const result = await act.run('x = (1,\nprint(x')
  expect(result.ok).toBe(false);
  expect(result.error!.type).toBe('SyntaxError');
  expect(result.error!.traceback).toMatch(/line \d/);
});

test('importing a package outside the standard library says only the standard library is available', async () => {
  const result = await act.run('import json, statistics, datetime\nprint(statistics.mean([1, 2, 3]))\nimport numpy');
  expect(result.ok).toBe(false);
  expect(result.output).toBe('2\n');
  expect(result.error!.type).toBe('ModuleNotFoundError');
  expect(result.error!.message).toMatch(/No module named 'numpy': only Python's standard library .* is available .* packages cannot be installed/);
});

test('exit(0) ends a script successfully; exit(3) is an error', async () => {
  expect(await act.run('save["a"] = 1\nimport sys\nsys.exit(0)\nsave["b"] = 2')).toMatchObject({ ok: true, saved: { a: 1 } });
  expect(await act.run('raise SystemExit(3)')).toMatchObject({ ok: false, error: { type: 'SystemExit', message: 'the script exited with status 3' } });
});

test('vault.search and vault.chat cross to the worker as validated requests for the run\'s vault and model', async () => {
  act.host.calls.length = 0;
  const result = await act.run(
    `
hits = vault.search("refunds", 1)
save["top"] = hits[0]["text"]
save["score"] = hits[0]["score"]
save["answer"] = vault.chat("What is the refund window?")
try:
    vault.search("x", 10**6)
except ValueError as e:
    save["bad_n"] = str(e)
`,
    { vault: 'support', model: 'local:extractive' },
  );
  expect(result.ok).toBe(true);
  expect(result.saved).toEqual({
    top: 'refund policy of support',
    score: 0.91,
    answer: 'answer to "What is the refund window?" from support via local:extractive',
    bad_n: 'vault.search: n must be an integer from 1 to 100',
  });
  expect(act.host.calls).toEqual([
    ['search', 'support', 'refunds', 1],
    ['chat', 'support', 'local:extractive', 'What is the refund window?'],
  ]);
});

test('vault.search on a node without a vault is a clear VaultError', async () => {
  const result = await act.run('vault.search("anything")');
  expect(result.ok).toBe(false);
  expect(result.error).toMatchObject({ type: 'VaultError', message: expect.stringMatching(/this act node has no vault/) });
});

describe('web requests through the worker', () => {
  let server: http.Server;
  let port: number;
  const seen: string[] = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      if (req.url === '/redirect') {
        res.writeHead(302, { location: 'http://localhost:1/elsewhere' });
        return res.end();
      }
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ path: req.url, body }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  test('an allowed host is reached (GET and POST JSON); redirects to other hosts are refused', async () => {
    seen.length = 0;
    const result = await act.run(
      `
r = web.get("http://127.0.0.1:${port}/rates?cur=EUR")
save["get"] = [r.status, r.json()["path"]]
p = web.post("http://127.0.0.1:${port}/submit", json={"amount": 12.5})
save["post"] = p.json()["body"]
try:
    web.get("http://127.0.0.1:${port}/redirect")
except PermissionError as e:
    save["redirect"] = str(e)
`,
      { allowedHosts: [`127.0.0.1:${port}`] },
    );
    expect(result.error).toBeUndefined();
    expect(result.saved).toEqual({
      get: [200, '/rates?cur=EUR'],
      post: '{"amount": 12.5}',
      redirect: expect.stringMatching(/a redirect to localhost:1 is not in this act node's allowed hosts/),
    });
    expect(seen).toEqual(['GET /rates?cur=EUR', 'POST /submit', 'GET /redirect']);
  });

  test('a host the node does not allow is refused by the worker and never contacted', async () => {
    seen.length = 0;
    const none = await act.run(`web.get("http://127.0.0.1:${port}/secret")`);
    expect(none.ok).toBe(false);
    expect(none.error).toMatchObject({ type: 'PermissionError', message: expect.stringMatching(/this act node allows no hosts/) });
    const other = await act.run(`web.get("http://127.0.0.1:${port}/secret")`, { allowedHosts: ['api.example.com'] });
    expect(other.error).toMatchObject({ type: 'PermissionError', message: expect.stringMatching(/127\.0\.0\.1:\d+ is not in this act node's allowed hosts \(api\.example\.com\)/) });
    const scheme = await act.run('web.get("file:///etc/passwd")', { allowedHosts: ['localhost'] });
    expect(scheme.error!.message).toMatch(/only http and https/);
    expect(seen).toEqual([]);
  });
});

test("a node's own memory limit applies: 80 MB fits the default, not a 64 MB limit", async () => {
  const code = 'block = bytearray(80_000_000)\nsave["mb"] = len(block) // 1_000_000';
  expect(await act.run(code)).toMatchObject({ ok: true, saved: { mb: 80 } });
  expect(await act.run(code, { limits: { memoryMb: 64 } })).toMatchObject({ ok: false, error: { type: 'MemoryError', limit: 'memory' } });
});

test('each run gets a fresh sandbox: nothing a script leaves behind is seen by the next', async () => {
  const first = await act.run('import builtins, sys\nbuiltins.LEFTOVER = "secret of run 1"\nsys.modules["json"].dumps = lambda *a, **k: "tampered"\nopen("/tmp/note.txt", "w").write("run 1")');
  expect(first.ok).toBe(true);
  const second = await act.run(
    'import builtins, json, os\nsave["leftover"] = getattr(builtins, "LEFTOVER", None)\nsave["json"] = json.dumps([1])\nsave["note"] = os.path.exists("/tmp/note.txt")',
  );
  expect(second.saved).toEqual({ leftover: null, json: '[1]', note: false });
});
});
