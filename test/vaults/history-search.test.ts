import type { ModelMessage } from '../../activities/contracts';
import { needsContext, offlineSearchQuery, salientHistoryTerms } from '../../activities/vaults/history-search';
import { serviceIn, tempDir } from './service-fixture';

const history: ModelMessage[] = [
  { role: 'user', content: 'Our cafeteria menu changed last week.' },
  { role: 'assistant', content: 'Good to know about the cafeteria.' },
  { role: 'user', content: 'My PostgreSQL queries hit a statement timeout on the orders table.' },
  { role: 'assistant', content: 'A statement timeout on PostgreSQL usually means a missing index or lock contention on orders.' },
];

test('a vague follow-up gets the subject of the recent conversation', () => {
  const q = offlineSearchQuery('How do I fix that?', history);
  expect(q.startsWith('How do I fix that?')).toBe(true);
  expect(q).toMatch(/PostgreSQL/);
  expect(q).toMatch(/timeout/);
  expect(q).toMatch(/orders/);
});

test('recent turns outweigh older ones, and terms already in the message are not repeated', () => {
  const terms = salientHistoryTerms('what about the orders table?', history, 4);
  expect(terms).not.toContain('orders');
  expect(terms).not.toContain('cafeteria');
  expect(terms.map((t) => t.toLowerCase())).toContain('postgresql');
});

test('a message that is already specific is searched as it is, even with history', () => {
  expect(offlineSearchQuery('How do I configure pgbouncer transaction pooling?', history)).toBe('How do I configure pgbouncer transaction pooling?');
  expect(needsContext('How do I configure pgbouncer transaction pooling?')).toBe(false);
  expect(needsContext('Will it lock the table?')).toBe(true);
  expect(needsContext('And in TypeScript?')).toBe(true);
});

test('the subject is the message that opened the topic, not incidental recent words', () => {
  const h: ModelMessage[] = [
    { role: 'user', content: 'I want to bake a sourdough loaf this weekend.' },
    { role: 'assistant', content: 'You need an active starter, bread flour, water and salt.' },
    { role: 'user', content: 'How long should it proof?' },
    { role: 'assistant', content: 'Bulk ferment for 4-6 hours, then proof overnight in the fridge.' },
  ];
  const q2 = offlineSearchQuery('Can I use whole wheat flour for it?', h).toLowerCase();
  expect(q2).toMatch(/sourdough/);
  expect(q2).not.toMatch(/fridge|overnight|water|salt/);
});

test('without history the message is searched as is', () => {
  expect(offlineSearchQuery('refund policy', [])).toBe('refund policy');
});

test('the service uses a model-backed QueryRewriter when a model is named, the offline method otherwise', async () => {
  const seen: { message: string; history: ModelMessage[] }[] = [];
  const dir = tempDir('par-hs-');
  const svc = await serviceIn(dir, {
    queryRewriterFor: (model) =>
      model === 'test:rewriter'
        ? async (message, h) => {
            seen.push({ message, history: h });
            return 'PostgreSQL statement timeout fixes';
          }
        : undefined,
  });
  expect(await svc.searchQuery('How do I fix that?', history, { smart: true, model: 'test:rewriter' })).toBe('PostgreSQL statement timeout fixes');
  expect(seen).toEqual([{ message: 'How do I fix that?', history }]);
  expect(await svc.searchQuery('How do I fix that?', history, { smart: true })).toMatch(/PostgreSQL/);
  expect(await svc.searchQuery('How do I fix that?', history, { smart: false, model: 'test:rewriter' })).toBe('How do I fix that?');
  await svc.close();
});

test('smart history search finds what the follow-up is about where the raw message does not', async () => {
  const svc = await serviceIn(tempDir('par-hs2-'));
  await svc.addMany('support', [
    { text: 'To fix PostgreSQL statement timeouts, add an index on the filtered columns and check for long-held locks.' },
    { text: 'To fix a jammed printer, open the rear tray and remove the stuck paper.' },
    { text: 'To fix a flat bicycle tire, patch the inner tube or replace it.' },
  ]);
  const smart = await svc.searchQuery('How do I fix that?', history, { smart: true });
  const [hit] = await svc.getSimilar('support', smart, { n: 1 });
  expect(hit!.text).toMatch(/PostgreSQL/);
  await svc.close();
});

test('a rewriter registered by the models layer is used by services created from the defaults', async () => {
  const { registerQueryRewriter, createVaultService } = await import('../../activities/vaults');
  registerQueryRewriter((model) => (model === 'test:registered' ? async (m) => `rewritten: ${m}` : undefined));
  const svc = await createVaultService({ env: { ...process.env, PAR_DATA_DIR: tempDir('par-hs3-') } });
  try {
    expect(await svc.searchQuery('that one', history, { smart: true, model: 'test:registered' })).toBe('rewritten: that one');
    expect(await svc.searchQuery('that one', history, { smart: true, model: 'other:model' })).toMatch(/PostgreSQL/);
  } finally {
    registerQueryRewriter(undefined);
    await svc.close();
  }
});
