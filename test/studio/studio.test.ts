// PAR Studio in a real browser (Debian's Chromium via playwright-core) against `npm start`'s
// real stack: Temporal dev server, worker, API serving the built studio, redis for token streams,
// and a local server speaking OpenAI's protocol as the model.
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import type { NodeType, ParamSpec } from '../../client/sdk';
import { launchChromium, requireChromium, signedInContext, startStudioStack, type StudioStack } from '../helpers/studio';

let stack: StudioStack;
let browser: Browser;
let adminKey: string;

beforeAll(async () => {
  requireChromium();
  stack = await startStudioStack();
  browser = await launchChromium();
  adminKey = (await stack.createKey(['--name', 'studio-admin', '--grant', '*:admin', '--flow', '*'])).key;
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  return { context, page };
}

/** Signs in by pasting a key, as a user without the start link would. */
async function signInWithKey(page: Page, key: string): Promise<void> {
  await page.goto(`${stack.apiUrl}/studio/`);
  await page.getByTestId('signin-key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('nav-flows').waitFor();
}

async function dropNode(page: Page, type: string, x: number, y: number): Promise<void> {
  await page.getByTestId('palette-search').fill(type);
  await page.getByTestId(`palette-${type}`).dragTo(page.getByTestId('canvas'), { targetPosition: { x, y } });
  await page.getByTestId('palette-search').fill('');
}

/** Drags from a node's named output to another node's input, as a person does (React Flow follows pointer moves). */
async function connect(page: Page, from: string, output: string, to: string): Promise<void> {
  const source = page.getByTestId(`out-${from}-${output}`);
  const target = page.getByTestId(`node-${to}`).locator('.react-flow__handle-top');
  // React Flow draws the new edge with this test id once the document has the connection.
  const edge = page.getByTestId(`rf__edge-${from}::${output}`);
  // A drag that starts while the view is still moving misses the handle (a person would try
  // again); the edge must appear within three drags.
  for (let attempt = 1; ; attempt++) {
    // hover() waits until each element stops moving; both boxes are read after both are still.
    await target.hover();
    await source.hover();
    const a = (await source.boundingBox())!;
    const b = (await target.boundingBox())!;
    await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
    await page.mouse.down();
    await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 8 });
    await page.mouse.up();
    try {
      await edge.waitFor({ timeout: 5_000 });
      return;
    } catch (err) {
      // What the page shows, for the log (a string: this file is type-checked without the DOM's types).
      const seen = await page.evaluate(`(() => {
        const at = (x, y) => { const e = document.elementFromPoint(x, y); return e ? e.tagName + '.' + e.className : 'nothing'; };
        const edges = [...document.querySelectorAll('.react-flow__edge')].map((e) => e.getAttribute('data-testid'));
        const badges = [...document.querySelectorAll('[data-testid^="issues-"]')].map((e) => e.getAttribute('data-testid') + '=' + e.textContent);
        return 'source point: ' + at(${a.x + a.width / 2}, ${a.y + a.height / 2}) + '; target point: ' + at(${b.x + b.width / 2}, ${b.y + b.height / 2}) +
          '; edges: ' + edges.join(',') + '; problems: ' + badges.join(',');
      })()`);
      const a2 = await source.boundingBox();
      const b2 = await target.boundingBox();
      const shot = path.join(os.tmpdir(), `studio-connect-${from}-${attempt}.png`);
      await page.screenshot({ path: shot });
      console.log(`connect ${from}.${output} → ${to}, drag ${attempt} drew no edge (screenshot ${shot}): boxes then ${JSON.stringify([a, b])} now ${JSON.stringify([a2, b2])}; ${seen}`);
      if (attempt === 3) throw err;
    }
  }
}

async function selectNode(page: Page, id: string): Promise<void> {
  await page.getByTestId(`node-${id}`).click();
  await page.locator(`[data-testid="node-panel"][data-node="${id}"]`).waitFor();
}

test('a first flow: drag and drop from an empty canvas, fix a validation error, save, chat with streamed tokens, approve in the inbox, see it complete', async () => {
  const { context, page } = await newPage();
  // The one-time link that `npm start` printed signs in as the local admin.
  await page.goto(stack.signinLink);
  await page.getByTestId('nav-flows').waitFor();
  expect(page.url()).not.toContain('signin=');
  await page.getByTestId('new-flow').click();
  await page.getByTestId('flow-id').fill('studio_first');
  await page.getByTestId('flow-name').fill('Studio first flow');

  await dropNode(page, 'respond', 500, 260);
  await dropNode(page, 'approval', 500, 420);
  await dropNode(page, 'end', 500, 580);
  await page.getByTestId('auto-layout').click();
  await connect(page, 'start', 'next', 'respond');
  await connect(page, 'respond', 'next', 'approval');
  await connect(page, 'approval', 'approved', 'end');
  await connect(page, 'approval', 'rejected', 'end');

  // The approval has no prompt: the server's validateFlow says so, on that node and that field.
  await page.getByTestId('issues-approval').waitFor();
  // Validation runs a moment after each edit: once the last connection is checked, respond is fine.
  await page.getByTestId('issues-respond').waitFor({ state: 'detached' });
  await selectNode(page, 'approval');
  await expect(page.getByTestId('field-issue-prompt').innerText()).resolves.toMatch(/required/);
  await page.getByTestId('param-prompt').fill('Send this answer to the customer who wrote: {message}?');
  await page.getByTestId('issues-approval').waitFor({ state: 'detached' });
  await page.locator('[data-testid="validity"]', { hasText: /^valid$/ }).waitFor();

  await page.getByTestId('save').click();
  await page.getByTestId('notice').filter({ hasText: 'version 1' }).waitFor();
  const stored = await stack.call(adminKey, 'GET', '/v1/flows/studio_first');
  expect(stored.status).toBe(200);
  expect(stored.body.definition.nodes.map((n: { id: string }) => n.id).sort()).toEqual(['approval', 'end', 'respond', 'start']);

  // Test chat: tokens stream in while the run goes on; the canvas marks the path and the waiting node.
  await page.getByTestId('tab-test').click();
  await page.getByTestId('chat-input').fill('My parcel arrived broken');
  await page.getByTestId('chat-send').click();
  await page.getByTestId('chat-streaming').filter({ hasText: 'My parcel arrived broken' }).waitFor();
  await page.locator('[data-testid="node-approval"][data-run="waiting"]').waitFor();
  await expect(page.getByTestId('node-respond').getAttribute('data-run')).resolves.toBe('visited');
  await expect(page.getByTestId('node-start').getAttribute('data-run')).resolves.toBe('visited');
  await page.getByTestId('log-respond').waitFor();
  await page.getByTestId('chat-approval').waitFor();
  const runLink = page.getByTestId('test-panel').locator('a[href^="#/runs/"]');
  const runHref = (await runLink.getAttribute('href'))!;
  const runId = decodeURIComponent(runHref.replace('#/runs/', ''));
  const streamedRequests = stack.model.requests.filter((r) => r.body.stream === true);
  expect(streamedRequests.length).toBeGreaterThan(0);

  // The approvals inbox shows it with its prompt; approve with a comment.
  await page.getByTestId('nav-approvals').click();
  const card = page.getByTestId(`approval-${runId}-approval`);
  await card.waitFor();
  await expect(card.innerText()).resolves.toContain('My parcel arrived broken');
  await card.getByTestId('approval-comment').fill('fine by me');
  await card.getByTestId('approve').click();
  await card.waitFor({ state: 'detached' });
  await page.getByTestId('inbox-decided').click();
  const decided = page.getByTestId(`approval-${runId}-approval`);
  await decided.waitFor();
  const signedInAs = await page.getByTestId('signed-in-as').innerText();
  await expect(decided.getByTestId('decided-by').innerText()).resolves.toBe(signedInAs);
  await expect(decided.innerText()).resolves.toMatch(/approve.*fine by me/s);

  // The run page: completed, with the path it took.
  await page.goto(`${stack.apiUrl}/studio/${runHref}`);
  await page.locator('[data-testid="run-status"]', { hasText: 'completed' }).waitFor();
  await expect(page.getByTestId('run-path').innerText()).resolves.toBe('start → respond → approval → end');
  await context.close();
});

/** Sets one param through the control the studio shows for its kind. */
async function fillParam(scope: Locator, spec: ParamSpec, value: unknown): Promise<void> {
  const field = scope.locator(`[data-field="${spec.name}"]`).first();
  const control = field.getByTestId(`param-${spec.name}`).first();
  const kind = spec.kind;
  if (kind === 'code') {
    await control.locator('.cm-content').click();
    await scope.page().keyboard.press('ControlOrMeta+a');
    await scope.page().keyboard.insertText(String(value));
  } else if (kind === 'duration') {
    const [, amount, unit] = /^(\d+)\s*(\w+?)s?$/.exec(String(value))!;
    await control.locator('input[type=number]').fill(amount);
    await control.locator('select').selectOption(`${unit}s`);
  } else if (kind === 'boolean' || kind === 'enum') {
    await control.selectOption(String(value));
  } else if (kind === 'number' || kind === 'integer') {
    await control.fill(String(value));
  } else if (spec.items?.length) {
    const list = value as Record<string, unknown>[];
    for (const [i, el] of list.entries()) {
      await control.getByTestId(`param-${spec.name}-add`).click();
      const item = control.getByTestId(`param-${spec.name}-${i}`);
      for (const sub of spec.items) if (el[sub.name] !== undefined) await fillParam(item, sub, el[sub.name]);
    }
  } else if (kind === 'list' || kind === 'options') {
    for (const [i, v] of (value as string[]).entries()) {
      await control.getByRole('button', { name: '+ add' }).click();
      await control.locator('input[type=text]').nth(i).fill(v);
    }
  } else if (typeof value === 'string' && ['string', 'template', 'variable', 'flow', 'vault', 'model'].includes(kind)) {
    await control.fill(value);
    await control.press('Escape');
  } else {
    await control.fill(JSON.stringify(value));
  }
}

// Optional params filled on top of each type's minimal example, so every kind of control is used.
const EXTRA: Record<string, string[]> = {
  act: ['saves', 'timeout', 'memoryMb'],
  approval: ['approvers', 'timeout', 'variable'],
  generate: ['temperature', 'context', 'variable'],
  if: ['combine'],
  run_flow: ['wait', 'variables', 'resultVariable'],
  add_to_vault: ['metadata'],
  retrieve: ['n', 'smartHistorySearch'],
  parallel: ['join'],
};

test('every node type: its params set through its form give a valid document with exactly those params', async () => {
  // run_flow and parallel examples start the flow "child": store it first.
  const child = await stack.call(adminKey, 'PUT', '/v1/flows/child', { definition: { id: 'child', version: '1', nodes: [{ id: 'start', type: 'start', outputs: { next: 'done' } }, { id: 'done', type: 'end' }] } });
  expect(child.status).toBe(200);
  const catalogue = (await stack.call<{ nodeTypes: NodeType[] }>(adminKey, 'GET', '/v1/node-types')).body.nodeTypes;
  const chain = catalogue.filter((t) => !t.terminal && t.type !== 'start');
  expect(chain.length).toBeGreaterThan(10);

  const context = await signedInContext(browser, adminKey, 'studio-admin');
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  await page.goto(`${stack.apiUrl}/studio/#/flows/new`);
  await page.getByTestId('flow-id').fill('every_node_type');
  // approval's example prompt uses {amount}: declare it in the variables panel.
  await page.getByTestId('new-var').fill('amount');
  await page.getByRole('button', { name: 'add', exact: true }).click();
  await page.getByTestId('var-amount').locator('select').selectOption('number');
  const expected: Record<string, Record<string, unknown>> = {};
  // Built from the end backwards, so each node's outputs can name the node after it.
  await page.getByTestId('palette-end').dblclick();
  let nextId = 'end';
  for (const t of [...chain].reverse()) {
    await page.getByTestId(`palette-${t.type}`).dblclick();
    const panel = page.locator(`[data-testid="node-panel"][data-node="${t.type}"]`);
    await panel.waitFor();
    const params: Record<string, unknown> = { ...(t.example ?? {}) };
    for (const name of EXTRA[t.type] ?? []) params[name] = t.params.find((p) => p.name === name)!.example;
    for (const [name, value] of Object.entries(params)) await fillParam(panel, t.params.find((p) => p.name === name)!, value);
    expected[t.type] = params;
    for (const output of await panel.locator('select[data-testid^="output-"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')!.slice('output-'.length)))) {
      if (output !== 'error') await panel.getByTestId(`output-${output}`).selectOption(nextId);
    }
    nextId = t.type;
  }
  await page.getByTestId('auto-layout').click();
  await selectNode(page, 'start');
  await page.locator('[data-testid="node-panel"][data-node="start"]').getByTestId('output-next').selectOption(nextId);

  await page.getByTestId('tab-document').click();
  // Flow-level allow-lists (http, email nodes) are set in the document tab, which updates the flow.
  const text = YAML.parse(await page.getByTestId('doc-text').inputValue());
  await page.getByTestId('doc-text').fill(YAML.stringify({ ...text, allowHosts: ['api.example.com', 'example.com'], allowEmailDomains: ['example.com'] }));
  await page.locator('[data-testid="validity"]', { hasText: /valid|problem/ }).waitFor();
  const doc = YAML.parse(await page.getByTestId('doc-text').inputValue());
  const check = await stack.call(adminKey, 'POST', '/v1/flows/validate', { definition: doc });
  expect(check.body.issues).toEqual([]);
  await page.locator('[data-testid="validity"]', { hasText: /^valid$/ }).waitFor();
  for (const t of chain) {
    const node = doc.nodes.find((n: { id: string }) => n.id === t.type);
    expect({ type: t.type, params: node.params ?? {} }).toEqual({ type: t.type, params: expected[t.type] });
  }
  await context.close();
});

test('version history: diff between two versions, and rollback makes an old version the latest', async () => {
  const v1 = { id: 'studio_versions', version: '1', nodes: [{ id: 'start', type: 'start', outputs: { next: 'hello' } }, { id: 'hello', type: 'respond', params: { text: 'Hello one' }, outputs: { next: 'done' } }, { id: 'done', type: 'end' }] };
  expect((await stack.call(adminKey, 'PUT', '/v1/flows/studio_versions', { definition: v1, baseVersion: 0 })).status).toBe(200);
  const context = await signedInContext(browser, adminKey, 'studio-admin');
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  await page.goto(`${stack.apiUrl}/studio/#/flows/studio_versions`);
  await selectNode(page, 'hello');
  await page.getByTestId('param-text').fill('Hello two');
  await page.getByTestId('save').click();
  await page.getByTestId('notice').filter({ hasText: 'version 2' }).waitFor();

  await page.getByTestId('tab-versions').click();
  await page.getByTestId('diff-a-1').check();
  await page.getByTestId('diff-b-2').check();
  const diff = page.getByTestId('version-diff');
  await diff.locator('.del', { hasText: 'Hello one' }).waitFor();
  await diff.locator('.add', { hasText: 'Hello two' }).waitFor();

  await page.getByTestId('rollback-1').click();
  await page.getByTestId('notice').filter({ hasText: 'Rolled back' }).waitFor();
  await page.getByTestId('version-3').waitFor();
  const latest = await stack.call(adminKey, 'GET', '/v1/flows/studio_versions');
  expect(latest.body.version).toBe(3);
  expect(latest.body.definition.nodes.find((n: { id: string }) => n.id === 'hello').params.text).toBe('Hello one');
  // The editor shows the rolled-back document.
  await selectNode(page, 'hello');
  await expect(page.getByTestId('param-text').inputValue()).resolves.toBe('Hello one');
  await context.close();
});

test('a key with narrow grants sees only its own flows and vaults', async () => {
  for (const id of ['alpha_flow', 'beta_flow']) {
    const def = { id, version: '1', nodes: [{ id: 'start', type: 'start', outputs: { next: 'done' } }, { id: 'done', type: 'end' }] };
    expect((await stack.call(adminKey, 'PUT', `/v1/flows/${id}`, { definition: def })).status).toBe(200);
  }
  for (const vault of ['alpha_docs', 'beta_docs']) {
    expect((await stack.call(adminKey, 'POST', `/v1/vaults/${vault}/items`, { text: `a note in ${vault}` })).status).toBeLessThan(300);
  }
  const narrow = await stack.createKey(['--name', 'alpha-team', '--flow', 'alpha_flow', '--grant', 'alpha_docs:read']);
  const { context, page } = await newPage();
  await signInWithKey(page, narrow.key);
  await expect(page.getByTestId('signed-in-as').innerText()).resolves.toBe('alpha-team');
  await page.getByTestId('flow-row-alpha_flow').waitFor();
  expect(await page.getByTestId('flow-row-beta_flow').count()).toBe(0);
  expect(await page.locator('[data-testid^="flow-row-"]').count()).toBe(1);
  await page.getByTestId('nav-vaults').click();
  await page.getByTestId('vault-alpha_docs').waitFor();
  expect(await page.getByTestId('vault-beta_docs').count()).toBe(0);
  // Opening another team's flow by its address is refused by the API, and the studio says so.
  await page.goto(`${stack.apiUrl}/studio/#/flows/beta_flow`);
  await page.getByText(/Could not load flow beta_flow/).waitFor();
  await context.close();
});
