import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { ActResult } from '../../activities/contracts';
import { actFixture, describeWithSandbox, type ActFixture } from './act-fixture';

// Every way out of the sandbox we know of. Python-level refusals are a courtesy (clear messages);
// the tests that reach JavaScript on purpose show that the process around Pyodide still holds.

const SECRET = `par-act-secret-${process.pid}-${Date.now()}`;
process.env.PAR_ACT_TEST_SECRET = SECRET;

describeWithSandbox('act sandbox escapes and limits', () => {
let act: ActFixture;
beforeAll(async () => {
  act = await actFixture();
});
afterAll(async () => act?.close());

/** The pool still runs scripts after whatever the previous one did. */
async function expectPoolAlive(): Promise<void> {
  const after = await act.run('save["alive"] = 6 * 7');
  expect(after).toMatchObject({ ok: true, saved: { alive: 42 } });
}

/** Python that gets hold of Node's `process` despite the import refusals (via Pyodide's importer). */
const REACH_PROCESS = `
import sys
_finder = [f for f in sys.meta_path if type(f).__name__ == "JsFinder"][0]
js = _finder.jsproxies["js"]
process = js.process
def attempt(label, fn):
    try:
        save[label] = "ALLOWED: " + str(fn())
    except Exception as e:
        save[label] = "refused: " + str(e)
`;

function refused(result: ActResult, key: string): string {
  const value = result.saved[key];
  expect(typeof value).toBe('string');
  expect(value as string).toMatch(/^refused: /);
  return value as string;
}

test('the js and pyodide_js modules (and the pyodide bridge) cannot be imported', async () => {
  const result = await act.run(`
import importlib
for name in ["js", "pyodide_js", "pyodide.ffi", "_pyodide_core"]:
    try:
        __import__(name)
        save[name] = "imported"
    except ImportError as e:
        save[name] = str(e)
try:
    importlib.import_module("js")
    save["importlib"] = "imported"
except ImportError as e:
    save["importlib"] = str(e)
`);
  expect(result.ok).toBe(true);
  expect(result.saved).toEqual({
    js: "import of 'js' refused: the js module (JavaScript globals) is not available in act scripts",
    pyodide_js: "import of 'pyodide_js' refused: the pyodide_js module is not available in act scripts",
    'pyodide.ffi': "import of 'pyodide.ffi' refused: the pyodide package (JavaScript bridge) is not available in act scripts",
    _pyodide_core: "import of '_pyodide_core' refused: the _pyodide_core module (JavaScript bridge) is not available in act scripts",
    importlib: "import of 'js' refused: the js module (JavaScript globals) is not available in act scripts",
  });
  await expectPoolAlive();
});

test("the to_js(...).constructor.constructor('return process')() route is refused: no code from strings", async () => {
  const result = await act.run(`
import sys
to_js = sys.modules["pyodide.ffi"].to_js
process = to_js([1]).constructor.constructor("return process")()
save["pid"] = process.pid
`);
  expect(result.ok).toBe(false);
  expect(result.error!.message).toMatch(/EvalError: Code generation from strings disallowed/);
  expect(result.saved).toEqual({});
  await expectPoolAlive();
});

test('with process in hand, child processes and worker threads are refused', async () => {
  const result = await act.run(`${REACH_PROCESS}
attempt("execSync", lambda: process.getBuiltinModule("child_process").execSync("id"))
attempt("spawnSync", lambda: process.getBuiltinModule("child_process").spawnSync("sh", ["-c", "id"]).error.message)
attempt("worker", lambda: process.getBuiltinModule("worker_threads").Worker.new("1", js.Object.fromEntries([["eval", True]])))
attempt("dlopen", lambda: process.dlopen(js.Object.new(), "/usr/lib/x86_64-linux-gnu/libc.so.6"))
attempt("binding", lambda: process.binding("spawn_sync"))
`);
  expect(result.ok).toBe(true);
  expect(refused(result, 'execSync')).toMatch(/Access to this API has been restricted/);
  expect(refused(result, 'worker')).toMatch(/Access to this API has been restricted/);
  expect(refused(result, 'dlopen')).toMatch(/loading addons is disabled/);
  expect(refused(result, 'binding')).toMatch(/not available in the act sandbox/);
  // spawnSync reports the refusal as a thrown error as well
  expect(refused(result, 'spawnSync')).toMatch(/restricted/);
  await expectPoolAlive();
});

test('nothing is written outside the scratch area: Python writes stay in memory, Node writes are refused', async () => {
  const target = path.join(os.tmpdir(), `par-act-escape-${process.pid}-${Date.now()}.txt`);
  const result = await act.run(`${REACH_PROCESS}
fs = process.getBuiltinModule("fs")
attempt("node_write", lambda: fs.writeFileSync(${JSON.stringify(target)}, "pwned"))
attempt("node_mkdir", lambda: fs.mkdirSync(${JSON.stringify(`${target}.d`)}))
attempt("node_read_etc", lambda: fs.readFileSync("/etc/hostname", "utf8"))
with open(${JSON.stringify(target)}, "w") as f:
    f.write("python")
save["python_sees_its_file"] = open(${JSON.stringify(target)}).read()
with open("/tmp/scratch.txt", "w") as f:
    f.write("scratch is fine")
save["scratch"] = open("/tmp/scratch.txt").read()
`);
  expect(result.ok).toBe(true);
  expect(refused(result, 'node_write')).toMatch(/Access to this API has been restricted/);
  expect(refused(result, 'node_mkdir')).toMatch(/Access to this API has been restricted/);
  expect(refused(result, 'node_read_etc')).toMatch(/Access to this API has been restricted/);
  expect(result.saved.python_sees_its_file).toBe('python');
  expect(result.saved.scratch).toBe('scratch is fine');
  expect(fs.existsSync(target)).toBe(false);
  expect(fs.existsSync(`${target}.d`)).toBe(false);
  await expectPoolAlive();
});

test('NODEFS mounts of the host file system do not expose it', async () => {
  const result = await act.run(`${REACH_PROCESS}
import os
pyodide = _finder.jsproxies["pyodide_js"]
FS = pyodide.FS
os.mkdir("/host")
attempt("mount", lambda: FS.mount(FS.filesystems.NODEFS, js.Object.fromEntries([["root", "/"]]), "/host"))
attempt("list_etc", lambda: os.listdir("/host/etc"))
attempt("read_passwd", lambda: open("/host/etc/passwd").read()[:20])
attempt("write_tmp", lambda: open("/host/tmp/par-act-nodefs.txt", "w").write("x"))
`);
  expect(result.ok).toBe(true);
  // The mount call itself may succeed; every use of it must not.
  for (const key of ['list_etc', 'read_passwd', 'write_tmp']) refused(result, key);
  expect(fs.existsSync('/tmp/par-act-nodefs.txt')).toBe(false);
  await expectPoolAlive();
});

test("the worker's environment is unreachable: a secret set in the worker appears nowhere", async () => {
  const result = await act.run(
    `${REACH_PROCESS}
import os
save["python_env"] = dict(os.environ)
save["node_env"] = js.JSON.stringify(process.env)
attempt("proc_self", lambda: process.getBuiltinModule("fs").readFileSync("/proc/self/environ", "utf8"))
attempt("proc_worker", lambda: process.getBuiltinModule("fs").readFileSync("/proc/" + str(WORKER_PID) + "/environ", "utf8"))
try:
    print(open("/proc/" + str(WORKER_PID) + "/environ").read())
except OSError as e:
    save["python_proc"] = str(e)
`,
    { variables: { WORKER_PID: process.pid } },
  );
  expect(result.ok).toBe(true);
  expect(result.saved.node_env).toBe('{}');
  expect(Object.keys(result.saved.python_env as object).sort()).toEqual(expect.not.arrayContaining(['PAR_ACT_TEST_SECRET', 'PATH']));
  refused(result, 'proc_self');
  refused(result, 'proc_worker');
  expect(JSON.stringify(result)).not.toContain(SECRET);
  await expectPoolAlive();
});

test('other processes cannot be signalled: the sandbox has its own pid namespace', async () => {
  const result = await act.run(
    `${REACH_PROCESS}
save["own_pid"] = process.pid
attempt("kill_worker", lambda: process.kill(WORKER_PID, 0))
`,
    { variables: { WORKER_PID: process.pid } },
  );
  expect(result.saved.own_pid).toBe(1);
  expect(refused(result, 'kill_worker')).toMatch(/ESRCH/);
  await expectPoolAlive();
});

test('sockets and fetch to a host that is not allowed never connect: the sandbox has no network', async () => {
  let connections = 0;
  const server = net.createServer((s) => {
    connections++;
    s.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  try {
    const result = await act.run(`${REACH_PROCESS}
import socket, urllib.request
try:
    socket.create_connection(("127.0.0.1", ${port}), timeout=2)
    save["python_socket"] = "connected"
except OSError as e:
    save["python_socket"] = "refused: " + str(e)
try:
    urllib.request.urlopen("http://127.0.0.1:${port}/", timeout=2)
    save["urllib"] = "connected"
except Exception as e:
    save["urllib"] = "refused: " + str(e)
save["interfaces"] = list(js.Object.keys(process.getBuiltinModule("os").networkInterfaces()))
# Node's own sockets and fetch are asynchronous: start them, the server below must see nothing.
process.getBuiltinModule("net").connect(${port}, "127.0.0.1").on("error", lambda e: None)
js.fetch("http://127.0.0.1:${port}/").catch(lambda e: None)
try:
    web.get("http://127.0.0.1:${port}/")
except PermissionError as e:
    save["web"] = "refused: " + str(e)
`);
    expect(result.ok).toBe(true);
    refused(result, 'python_socket');
    refused(result, 'urllib');
    expect(refused(result, 'web')).toMatch(/this act node allows no hosts/);
    expect((result.saved.interfaces as string[]).filter((i) => i !== 'lo')).toEqual([]);
    await new Promise((r) => setTimeout(r, 300));
    expect(connections).toBe(0);
  } finally {
    server.close();
  }
  await expectPoolAlive();
});

test('an infinite loop is killed at the time limit', async () => {
  const result = await act.run('print("spinning")\nwhile True:\n    pass', { limits: { timeoutMs: 1500 } });
  expect(result).toMatchObject({ ok: false, output: 'spinning\n', error: { type: 'TimeoutError', limit: 'time' } });
  expect(result.error!.message).toMatch(/time limit of 1500 ms/);
  expect(result.durationMs).toBeGreaterThanOrEqual(1500);
  await expectPoolAlive();
});

test('a Python memory bomb stops at the memory limit', async () => {
  const result = await act.run('hoard = []\nwhile True:\n    hoard.append(bytearray(10_000_000))');
  expect(result).toMatchObject({ ok: false, error: { type: 'MemoryError', limit: 'memory' } });
  await expectPoolAlive();
});

test('a memory bomb outside Python (JavaScript buffers) is killed by the watchdog', async () => {
  const result = await act.run(`${REACH_PROCESS}
hoard = []
while True:
    block = js.Uint8Array.new(16_000_000)
    block.fill(1)
    hoard.append(block)
`);
  expect(result).toMatchObject({ ok: false, error: { type: 'MemoryError', limit: 'memory' } });
  expect(result.error!.message).toMatch(/the sandbox used \d+ MB, over its memory limit/);
  await expectPoolAlive();
});

test('a flood of output is cut at the output limit and the sandbox killed', async () => {
  const result = await act.run('while True:\n    print("spam " * 20)', { limits: { outputBytes: 50_000 } });
  expect(result).toMatchObject({ ok: false, error: { type: 'OutputLimitError', limit: 'output' } });
  expect(Buffer.byteLength(result.output)).toBeLessThanOrEqual(50_000);
  expect(result.output.length).toBeGreaterThan(40_000);
  expect(result.output.startsWith('spam spam')).toBe(true);
  await expectPoolAlive();
});

test('a recursion bomb is a RecursionError, even with the recursion limit raised', async () => {
  const plain = await act.run('def f(n):\n    return f(n + 1)\nf(0)');
  expect(plain).toMatchObject({ ok: false, error: { type: 'RecursionError' } });
  expect(plain.error!.message).toMatch(/maximum recursion depth exceeded/);
  const raised = await act.run('import sys\nsys.setrecursionlimit(10**7)\ndef f(n):\n    return f(n + 1)\nf(0)');
  expect(raised).toMatchObject({ ok: false, error: { type: 'RecursionError' } });
  await expectPoolAlive();
});

test('a script that forges messages on the sandbox channel gains nothing beyond its own result', async () => {
  const result = await act.run(`${REACH_PROCESS}
fs = process.getBuiltinModule("fs")
fs.writeSync(3, '{"t":"out","s":"forged output\\\\n"}\\n')
fs.writeSync(3, 'not json at all\\n')
`);
  expect(result.ok).toBe(false);
  expect(result.error).toMatchObject({ type: 'SandboxProtocolError' });
  await expectPoolAlive();
});

test('the pool keeps serving concurrent runs while sandboxes are being killed', async () => {
  const [loop, ok1, ok2] = await Promise.all([
    act.run('while True: pass', { limits: { timeoutMs: 1000 } }),
    act.run('save["n"] = 1'),
    act.run('save["n"] = 2'),
  ]);
  expect(loop.error!.limit).toBe('time');
  expect(ok1.saved).toEqual({ n: 1 });
  expect(ok2.saved).toEqual({ n: 2 });
  expect(act.pool.stats().isolation).toMatch(/no network/);
});
});
