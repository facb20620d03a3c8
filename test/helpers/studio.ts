// The studio's real stack for browser tests, screenshots and the bench: `npm start`'s own
// scripts/start.ts on private ports (Temporal dev server, worker, API serving the built studio,
// a redis-server for token streams), a local OpenAI-protocol model server, and Debian's Chromium
// driven by playwright-core.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { OpenAIWireServer } from '../models/helpers/openai-wire-server';
import { ROOT, runPar } from './cli';
import { freePorts } from './processes';

export const CHROMIUM = process.env.PAR_CHROMIUM || '/usr/bin/chromium';

/** Fails (never skips) when the browser is missing, saying how to install it. */
export function requireChromium(): string {
  if (fs.existsSync(CHROMIUM)) return CHROMIUM;
  throw new Error(
    `The studio's browser tests need Chromium at ${CHROMIUM}, and it is not there.\n` +
      'Install Debian\'s build:  apt-get update && apt-get install -y chromium\n' +
      '(or point PAR_CHROMIUM at a Chromium binary). Playwright\'s own browser download is not used.',
  );
}

export async function launchChromium(): Promise<Browser> {
  process.env.PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD = '1';
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: requireChromium(),
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}


export interface StudioStack {
  apiUrl: string;
  /** The one-time sign-in link `npm start` printed. */
  signinLink: string;
  env: NodeJS.ProcessEnv;
  model: OpenAIWireServer;
  output(): string;
  /** `par keys create …` against this stack's data folder; returns the key. */
  createKey(args: string[]): Promise<{ key: string; id: string; name: string }>;
  /** A raw API request with a key. */
  call<T = any>(key: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>; // eslint-disable-line @typescript-eslint/no-explicit-any
  stop(): Promise<void>;
}

export async function startStudioStack(opts: { dataDir?: string } = {}): Promise<StudioStack> {
  const model = await new OpenAIWireServer('sk-studio', (req) => ({ text: replyFor(req.body), chunkDelayMs: 30 })).start();
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'par-studio-'));
  const [temporalPort, uiPort, apiPort, redisPort] = await freePorts(4);
  const env: NodeJS.ProcessEnv = {
    PAR_DATA_DIR: dataDir,
    PAR_TEMPORAL_PORT: String(temporalPort),
    PAR_TEMPORAL_UI_PORT: String(uiPort),
    PAR_API_PORT: String(apiPort),
    PAR_REDIS: 'local',
    PAR_REDIS_PORT: String(redisPort),
    PAR_REDIS_URL: '',
    PAR_TASK_QUEUE: `par-studio-${apiPort}`,
    PAR_TEMPORAL_ADDRESS: '',
    PAR_API_INSECURE_LOCAL: '',
    OPENAI_API_KEY: 'sk-studio',
    OPENAI_BASE_URL: `${model.url}/v1`,
    PAR_DEFAULT_MODEL: 'openai:gpt-4.1-mini',
  };
  const proc: ChildProcess = spawn(process.execPath, [path.join(ROOT, 'bin/run-ts.js'), 'scripts/start.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number>((resolve) => proc.once('exit', (code) => resolve(code ?? -1)));
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + 240_000;
  while (!out.includes('PAR is up')) {
    if (gone) throw new Error(`npm start's stack exited before it was up:\n${out.slice(-3000)}`);
    if (Date.now() > deadline) throw new Error(`npm start's stack was not up after 240 s:\n${out.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const link = /(http:\/\/127\.0\.0\.1:\d+\/studio\/#signin=[^\s]+)/.exec(out)?.[1];
  if (!link) throw new Error(`npm start printed no studio sign-in link:\n${out.slice(-2000)}`);
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  return {
    apiUrl,
    signinLink: link,
    env,
    model,
    output: () => out,
    async createKey(args) {
      const r = await runPar(['keys', 'create', ...args, '--json'], env);
      if (r.code !== 0) throw new Error(`par keys create ${args.join(' ')} failed: ${r.stderr}`);
      const j = JSON.parse(r.stdout) as { key: string; id: string; name: string };
      return j;
    },
    async call(key, method, p, body) {
      const res = await fetch(apiUrl + p, {
        method,
        headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: body !== undefined ? JSON.stringify(body) : undefined,
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    },
    async stop() {
      if (!gone) {
        proc.kill('SIGINT');
        const t = setTimeout(() => proc.kill('SIGKILL'), 30_000);
        await exited;
        clearTimeout(t);
      }
      await model.close();
    },
  };
}

/** The scripted model's answer: names the last user message, so a test can find it in the chat. */
function replyFor(body: Record<string, unknown>): string {
  const messages = (body.messages as { role: string; content: unknown }[] | undefined) ?? [];
  const last = [...messages].reverse().find((m) => m.role === 'user');
  const text = typeof last?.content === 'string' ? last.content : 'your message';
  return `Thanks for writing "${text.slice(0, 60)}". A manager will look at your request.`;
}

/** Makes every page of the context start signed in with `key` (what the sign-in form stores). */
export async function signedInContext(browser: Browser, key: string, name = 'api key') {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  // A script string: this file is type-checked without the DOM library.
  await context.addInitScript(`sessionStorage.setItem('par.studio.apiKey', ${JSON.stringify(key)}); sessionStorage.setItem('par.studio.keyName', ${JSON.stringify(name)});`);
  return context;
}
