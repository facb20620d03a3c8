// Refreshes the studio screenshots in docs/ (docs/studio-builder.png, docs/studio-run.png) from a
// real stack and Debian's Chromium:  node bin/run-ts.js scripts/studio-screenshots.ts
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { launchChromium, signedInContext, startStudioStack } from '../test/helpers/studio';

const ROOT = path.resolve(__dirname, '..');
const DOCS = path.join(ROOT, 'docs');

const supportFlow = {
  id: 'support_reply',
  version: '1',
  name: 'Support reply with approval',
  variables: { customer: { type: 'string', default: 'Ada' } },
  nodes: [
    { id: 'start', type: 'start', outputs: { next: 'draft' } },
    { id: 'draft', name: 'Draft an answer', type: 'respond', params: { prompt: 'Answer {customer} kindly.' }, outputs: { next: 'review' } },
    { id: 'review', name: 'Manager review', type: 'approval', params: { prompt: 'Send this answer to {customer}: {message}?', variable: 'decision', timeout: '2 days' }, outputs: { approved: 'sent', rejected: 'held', timeout: 'held' } },
    { id: 'sent', type: 'respond', params: { text: 'Your answer is on its way.' }, outputs: { next: 'done' } },
    { id: 'held', type: 'respond', params: { text: 'A colleague will get back to you.' }, outputs: { next: 'done' } },
    { id: 'done', type: 'end' },
  ],
};

async function main() {
  const stack = await startStudioStack();
  const browser = await launchChromium();
  try {
    const { key } = await stack.createKey(['--name', 'manager', '--grant', '*:admin', '--flow', '*']);
    const refund = YAML.parse(fs.readFileSync(path.join(ROOT, 'flows', 'refund_approval.yaml'), 'utf8'));
    for (const def of [refund, supportFlow]) {
      const r = await stack.call(key, 'PUT', `/v1/flows/${def.id}`, { definition: def, message: 'screenshots' });
      if (r.status >= 300) throw new Error(`storing ${def.id} failed: ${JSON.stringify(r.body)}`);
    }
    const context = await signedInContext(browser, key, 'manager');
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);

    // The builder: the refund flow, its act node selected (Python editor), the palette.
    await page.goto(`${stack.apiUrl}/studio/#/flows/refund_approval`);
    await page.getByTestId('node-compute_refund').waitFor();
    await page.getByTestId('node-compute_refund').click();
    await page.locator('[data-testid="validity"]', { hasText: /^valid$/ }).waitFor();
    await page.waitForTimeout(300); // let the canvas finish its fit animation before the picture
    await page.screenshot({ path: path.join(DOCS, 'studio-builder.png') });

    // A run: the support flow tested in the chat, waiting at the manager's approval.
    await page.goto(`${stack.apiUrl}/studio/#/flows/support_reply`);
    await page.getByTestId('tab-test').click();
    await page.getByTestId('chat-input').fill('Where is my parcel? It was due on Monday.');
    await page.getByTestId('chat-send').click();
    await page.locator('[data-testid="node-review"][data-run="waiting"]').waitFor();
    await page.getByTestId('log-draft').waitFor();
    await page.getByTestId('chat-approval').waitFor();
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(DOCS, 'studio-run.png') });
    console.log(`wrote ${path.relative(ROOT, path.join(DOCS, 'studio-builder.png'))} and ${path.relative(ROOT, path.join(DOCS, 'studio-run.png'))}`);
    await context.close();
  } finally {
    await browser.close();
    await stack.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
