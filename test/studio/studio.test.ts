// PAR Studio in a real browser (Debian's Chromium via playwright-core) against `npm start`'s
// real stack: Temporal dev server, worker, API serving the built studio, redis for token streams,
// and a local server speaking OpenAI's protocol as the model.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, requireChromium, startStudioStack, type StudioStack } from '../helpers/studio';

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
  const a = (await page.getByTestId(`out-${from}-${output}`).boundingBox())!;
  const b = (await page.getByTestId(`node-${to}`).locator('.react-flow__handle-top').boundingBox())!;
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 8 });
  await page.mouse.up();
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
  expect(await page.getByTestId('issues-respond').count()).toBe(0);
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
