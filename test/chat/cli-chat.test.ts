import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startLocalProviders, type LocalProviders } from '../models/helpers/providers';

const ROOT = path.resolve(__dirname, '../..');
let p: LocalProviders;
let dataDir: string;

beforeAll(async () => {
  p = await startLocalProviders();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'par-chat-cli-'));
});
afterAll(async () => {
  await p?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});
beforeEach(() => p.reset());

function par(args: string[], stdin?: string, env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/par.js'), ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, PAR_DATA_DIR: dataDir, ...p.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.stdin.end(stdin ?? '');
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

test('par chat streams the answer of the chosen model to the terminal', async () => {
  p.openai.enqueue({ chunks: ['Hello ', 'from ', 'the model.'] });
  const r = await par(['chat', 'support', 'hi there', '--model', 'openai:gpt-4.1-mini', '--no-context']);
  expect(r).toMatchObject({ code: 0, stdout: 'Hello from the model.\n' });
  expect(p.openai.requests[0]!.body).toMatchObject({ stream: true, temperature: 0, messages: [{ role: 'user', content: 'hi there' }] });
});

test('--history is sent before the message; --json prints the response and search details', async () => {
  const file = path.join(dataDir, 'history.json');
  fs.writeFileSync(file, JSON.stringify([{ role: 'user', content: 'I am Ada' }, { role: 'assistant', content: 'Hi Ada' }]));
  p.anthropic.enqueue({ text: 'Your name is Ada.' });
  const r = await par(['chat', 'support', 'What is my name?', '--history', file, '--model', 'anthropic:claude-sonnet-4-6', '--no-context', '--json']);
  expect(r.code).toBe(0);
  expect(JSON.parse(r.stdout)).toMatchObject({ response: 'Your name is Ada.', model: 'anthropic:claude-sonnet-4-6', context: [] });
  expect((p.anthropic.requests[0]!.body.messages as unknown[]).length).toBe(3);
});

test('interactive chat keeps the history between turns', async () => {
  p.gemini.enqueue({ text: 'First answer.' }, { text: 'Second answer.' });
  const r = await par(['chat', 'support', '--model', 'gemini:gemini-2.5-flash', '--no-context'], 'first question\nsecond question\n');
  expect(r.code).toBe(0);
  expect(r.stdout).toBe('First answer.\nSecond answer.\n');
  expect(p.gemini.requests[1]!.body.messages).toEqual([
    { role: 'user', content: 'first question' },
    { role: 'assistant', content: 'First answer.' },
    { role: 'user', content: 'second question' },
  ]);
});

test('a provider error is a clear message and a non-zero exit, not answer text', async () => {
  p.openai.enqueue({ status: 401 });
  const r = await par(['chat', 'support', 'hi', '--model', 'openai:gpt-4.1-mini', '--no-context']);
  expect(r.code).toBe(1);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(/^par: openai:gpt-4\.1-mini: provider answered 401/);
});

test('a missing key names the variable; bad flags name the flag', async () => {
  const missing = await par(['chat', 'support', 'hi', '--model', 'grok:grok-4', '--no-context', '--json'], undefined, { XAI_API_KEY: '' });
  expect(missing.code).toBe(1);
  expect(JSON.parse(missing.stdout).error).toMatchObject({ code: 'missing_api_key', message: expect.stringContaining('XAI_API_KEY') });
  const bad = await par(['chat', 'support', 'hi', '--temperature', 'hot']);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain('--temperature must be a number from 0 to 2');
});
