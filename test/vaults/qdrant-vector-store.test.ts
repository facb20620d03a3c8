/**
 * The Qdrant adapter against (1) a local server on 127.0.0.1 that routes and checks requests by
 * the OpenAPI spec shipped in @qdrant/js-client-rest, and (2) a real Qdrant when QDRANT_URL is set.
 */
import { QdrantVectorStore } from '../../activities/vectors/qdrant-store';
import { startFakeQdrant, type FakeQdrant } from './qdrant-fake/server';
import { specViolations } from './qdrant-fake/spec';
import { vectorStoreConformance } from './vector-store-conformance';

describe('QdrantVectorStore on a spec-checking local server (conformance)', () => {
  let fake: FakeQdrant;
  beforeAll(async () => {
    // The client warns that the key travels over plain HTTP: true, and fine on loopback.
    const warn = console.warn.bind(console);
    jest.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => {
      if (!String(args[0]).includes('unsecure connection')) warn(...args);
    });
    fake = await startFakeQdrant({ apiKey: 'test-key' });
  });
  afterAll(async () => fake.close());

  vectorStoreConformance(async () => new QdrantVectorStore({ url: fake.url, apiKey: 'test-key' }));

  describe('request shapes', () => {
    test('every request the adapter made is a route of the spec, with a body and query string of the spec types', () => {
      expect(fake.requests.length).toBeGreaterThan(50);
      expect(fake.outsideSpec).toEqual([]);
      expect(fake.unimplemented).toEqual([]);
      expect(specViolations(fake.requests)).toEqual([]);
    });

    test('queries use the Query API, and every points request filters on the tenant', () => {
      const templates = new Set(fake.requests.map((r) => r.template));
      expect(templates.has('/collections/{collection_name}/points/query')).toBe(true);
      expect([...templates].some((t) => t.endsWith('/points/search'))).toBe(false);
      for (const r of fake.requests.filter((x) => /points\/(query|scroll|count)$/.test(x.template))) {
        const must = (r.body as { filter?: { must?: { key: string }[] } }).filter?.must ?? [];
        expect(must.some((c) => c.key === 'tenant')).toBe(true);
      }
    });

    test('the tenant field is indexed as a keyword with is_tenant', () => {
      const index = fake.requests.find((r) => r.template === '/collections/{collection_name}/index');
      expect(index?.body).toEqual({ field_name: 'tenant', field_schema: { type: 'keyword', is_tenant: true } });
    });

    test('the checker does reject shapes the spec does not allow (the retired search shape, a wrong type)', () => {
      const violations = specViolations([
        { template: '/collections/{collection_name}/points/query', method: 'post', query: {}, body: { vector: [1, 0], limit: 3 } },
        { template: '/collections/{collection_name}/points/count', method: 'post', query: {}, body: { exact: 'yes' } },
        { template: '/collections/{collection_name}/points', method: 'put', query: { wait: 'true' }, body: { points: [{ id: 'x', vectors: [1] }] } },
      ]);
      expect(violations).toHaveLength(3);
    });
  });

  test('a wrong API key is reported as a Qdrant failure naming the collection', async () => {
    const store = new QdrantVectorStore({ url: fake.url, apiKey: 'wrong' });
    await expect(store.ensureCollection('locked', 4)).rejects.toThrow(/locked/);
  });
});

const liveUrl = process.env.QDRANT_URL;
(liveUrl ? describe : describe.skip)(
  liveUrl ? `QdrantVectorStore on the real Qdrant at ${liveUrl} (conformance)` : 'QdrantVectorStore on a real Qdrant (skipped: QDRANT_URL not set)',
  () => {
    if (!liveUrl) {
      test.skip('needs QDRANT_URL', () => undefined);
      return;
    }
    vectorStoreConformance(async () => new QdrantVectorStore({ url: liveUrl, apiKey: process.env.QDRANT_API_KEY || undefined }));
  },
);
if (!liveUrl) console.log('live Qdrant conformance skipped: QDRANT_URL not set');
