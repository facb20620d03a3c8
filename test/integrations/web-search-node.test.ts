import { createActivities } from '../../activities';
import { createIntegrationActivities } from '../../activities/integrations/activities';
import { sharedVaultService } from '../../activities/vaults';
import type { FlowNode } from '../../workflows/flow/types';
import { temporalTestContext, type TemporalTestContext } from '../helpers/temporal';
import { flowDef, startFlow } from '../helpers/flows';
import { LocalHttpServer, sendJson } from './helpers/local-http';

// Local servers answering the providers' own HTTP shapes (Brave Search API, Tavily /search).
let ctx: TemporalTestContext;
let brave: LocalHttpServer;
let busyCalls = 0;
let tavily: LocalHttpServer;
let pages: LocalHttpServer;
const BRAVE_KEY = 'brave-test-key';
const TAVILY_KEY = 'tvly-test-key';

beforeAll(async () => {
  pages = await new LocalHttpServer()
    .route('/refunds', (_q, res) =>
      void res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        .end('<html><head><style>p{}</style><script>var secret=1</script></head><body><h1>Refund policy</h1><p>Refunds are paid within 14 days &amp; no questions asked.</p></body></html>'),
    )
    .start();
  brave = await new LocalHttpServer()
    .route('/res/v1/web/search', (q, res) => {
      if (q.headers['x-subscription-token'] !== BRAVE_KEY) return sendJson(res, 401, { error: 'bad token' });
      if (q.path.includes('busy') && ++busyCalls === 1) return sendJson(res, 429, { error: 'slow down' }, { 'retry-after': '1' });
      sendJson(res, 200, {
        type: 'search',
        web: {
          results: [
            { title: 'Refund policy', url: `${pages.url}/refunds`, description: 'How <strong>refunds</strong> work' },
            { title: 'Elsewhere', url: 'https://not-allowed.example/page', description: 'another site' },
          ],
        },
      });
    })
    .start();
  tavily = await new LocalHttpServer()
    .route('/search', (q, res) => {
      if (q.headers.authorization !== `Bearer ${TAVILY_KEY}`) return sendJson(res, 401, { detail: { error: 'Unauthorized' } });
      const body = JSON.parse(q.body) as { query: string; max_results: number };
      sendJson(res, 200, { query: body.query, results: Array.from({ length: 5 }, (_, i) => ({ title: `T${i}`, url: `https://t.example/${i}`, content: `snippet ${i} about ${body.query}`, score: 0.9 })).slice(0, body.max_results) });
    })
    .start();
  ctx = await temporalTestContext('web-search');
  const base = createActivities();
  await ctx.startWorker({ activities: { ...base, ...createIntegrationActivities({ env: { BRAVE_SEARCH_API_KEY: BRAVE_KEY, PAR_BRAVE_SEARCH_URL: brave.url } }) } });
  await ctx.startWorker({ taskQueue: `${ctx.taskQueue}-tavily`, activities: { ...base, ...createIntegrationActivities({ env: { PAR_SEARCH_PROVIDER: 'tavily', BRAVE_SEARCH_API_KEY: 'unused', TAVILY_API_KEY: TAVILY_KEY, PAR_TAVILY_URL: tavily.url } }) } });
  await ctx.startWorker({ taskQueue: `${ctx.taskQueue}-none`, activities: { ...base, ...createIntegrationActivities({ env: {} }) } });
  await ctx.startWorker({ taskQueue: `${ctx.taskQueue}-badkey`, activities: { ...base, ...createIntegrationActivities({ env: { BRAVE_SEARCH_API_KEY: 'wrong', PAR_BRAVE_SEARCH_URL: brave.url } }) } });
});
afterAll(async () => {
  await ctx?.close();
  await Promise.all([brave?.close(), tavily?.close(), pages?.close()]);
});

const searchFlow = (params: Record<string, unknown>) =>
  flowDef('searcher', [
    { id: 'start', type: 'start', outputs: { next: 'search' } },
    { id: 'search', type: 'web_search', params: { query: 'refunds for {message}', variable: 'hits', ...params } as FlowNode['params'] },
  ], { allowHosts: [`127.0.0.1:${pages.port}`] });

test('brave: results as {title, url, snippet}; allowed pages go into the vault, others are skipped', async () => {
  const vault = `web_${Date.now()}`;
  const r = await (await startFlow(ctx.client, ctx.taskQueue, searchFlow({ vault, n: 3 }), { message: 'lamps' })).result();
  expect(brave.seen[0].path).toBe('/res/v1/web/search?q=refunds%20for%20lamps&count=3');
  expect(r.variables.hits).toEqual([
    { title: 'Refund policy', url: `${pages.url}/refunds`, snippet: 'How refunds work' },
    { title: 'Elsewhere', url: 'https://not-allowed.example/page', snippet: 'another site' },
  ]);
  const detail = r.trail.find((t) => t.node === 'search')!.detail!;
  expect(detail).toMatchObject({ provider: 'brave', results: 2, pagesAdded: 1 });
  expect(String((detail.pagesSkipped as string[])[0])).toMatch(/not-allowed\.example.*not in the flow's allowHosts/);
  const service = await sharedVaultService();
  const found = await service.getSimilar(vault, 'how long until refunds are paid', { n: 1 });
  expect(found[0].text).toMatch(/Refunds are paid within 14 days & no questions asked/);
  expect(found[0].text).not.toMatch(/var secret|<p>/);
  expect(found[0].metadata).toMatchObject({ source: 'web_search', url: `${pages.url}/refunds` });
  // a second run replaces the page's items instead of adding copies
  await (await startFlow(ctx.client, ctx.taskQueue, searchFlow({ vault, n: 3 }), { message: 'lamps' })).result();
  expect((await service.listItems(vault)).items).toHaveLength(1);
});

test('tavily, chosen by PAR_SEARCH_PROVIDER: the key as a bearer token, n as max_results', async () => {
  const r = await (await startFlow(ctx.client, `${ctx.taskQueue}-tavily`, searchFlow({ n: 2 }), { message: 'chairs' })).result();
  expect(JSON.parse(tavily.seen[0].body)).toMatchObject({ query: 'refunds for chairs', max_results: 2 });
  expect(r.variables.hits).toEqual([
    { title: 'T0', url: 'https://t.example/0', snippet: 'snippet 0 about refunds for chairs' },
    { title: 'T1', url: 'https://t.example/1', snippet: 'snippet 1 about refunds for chairs' },
  ]);
});

test('a 429 is retried after Retry-After; a bad key and a missing provider fail at once with the reason', async () => {
  const before = brave.count('/res/v1/web/search');
  const busy = await (await startFlow(ctx.client, ctx.taskQueue, searchFlow({}), { message: 'busy' })).result();
  expect((busy.variables.hits as unknown[]).length).toBe(2);
  expect(brave.count('/res/v1/web/search') - before).toBe(2);

  const withError = (def: ReturnType<typeof searchFlow>) => ({ ...def, nodes: [...def.nodes.map((n) => (n.id === 'search' ? { ...n, outputs: { error: 'oops' } } : n)), { id: 'oops', type: 'no_response' as const }] });
  const bad = await (await startFlow(ctx.client, `${ctx.taskQueue}-badkey`, withError(searchFlow({})), { message: 'x' })).result();
  expect(bad.trail.find((t) => t.node === 'search')!.error).toMatch(/brave search answered 401/);
  const none = await (await startFlow(ctx.client, `${ctx.taskQueue}-none`, withError(searchFlow({})), { message: 'x' })).result();
  expect(none.trail.find((t) => t.node === 'search')!.error).toMatch(/no web search provider is configured: set BRAVE_SEARCH_API_KEY or TAVILY_API_KEY/);
});
