/**
 * A Qdrant stand-in on 127.0.0.1 for tests: it routes by the paths of the OpenAPI spec the client
 * package ships, answers with the spec's response types (the compiler checks them below), keeps
 * points in memory with exact cosine search and sparse vectors with Qdrant's IDF modifier, and
 * records every request so the test can check each one against the spec. A request outside the spec is answered 404 and recorded as such.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { components } from '@qdrant/js-client-rest/dist/types/openapi/generated_schema';
import { specRoutes, type RecordedRequest, type SpecRoute } from './spec';

type S = components['schemas'];
type Payload = Record<string, unknown>;
type Sparse = { indices: number[]; values: number[] };
interface Point {
  id: string | number;
  vector: number[];
  sparse: Record<string, Sparse>;
  payload: Payload;
}
interface Collection {
  size: number;
  /** Sparse vector names with their modifier. */
  sparse: Record<string, { modifier?: string }>;
  points: Map<string, Point>;
  indexes: Record<string, S['PayloadFieldSchema']>;
}
type Condition = { key: string; match: { value?: unknown; any?: unknown[] } };

function fieldAt(payload: Payload, key: string): unknown {
  let cur: unknown = payload;
  for (const part of key.split('.')) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    cur = (cur as Payload)[part];
  }
  return cur;
}

function matches(p: Point, filter: { must?: Condition[] } | null | undefined): boolean {
  for (const c of filter?.must ?? []) {
    const have = fieldAt(p.payload, c.key);
    const values = Array.isArray(have) ? have : [have];
    const wanted = c.match.any ?? [c.match.value];
    if (!values.some((v) => wanted.includes(v))) return false;
  }
  return true;
}

function unit(v: number[]): number[] {
  const n = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  return n === 0 ? v.map(() => 0) : v.map((x) => x / n);
}

/** A point's vectors as Qdrant returns them: the plain dense vector, or all of them by name. */
function vectorsOf(col: Collection, p: Point): S['VectorStructOutput'] {
  return Object.keys(col.sparse).length ? { '': p.vector, ...p.sparse } : p.vector;
}

/** Dense cosine search, or a sparse vector's dot product with Qdrant's IDF modifier applied. */
function query(col: Collection, body: any): S['ScoredPoint'][] | string {
  const candidates = [...col.points.values()].filter((p) => matches(p, body.filter));
  let score: (p: Point) => number | undefined;
  if (body.using && body.using !== '') {
    const cfg = col.sparse[body.using];
    if (!cfg) return `Wrong input: Not existing vector name error: ${body.using}`;
    const q = body.query as Sparse;
    // IDF over the whole collection, as Qdrant computes it: ln(1 + (N - n + 0.5) / (n + 0.5)).
    const n = col.points.size;
    const df = new Map<number, number>();
    for (const p of col.points.values()) for (const i of p.sparse[body.using]?.indices ?? []) df.set(i, (df.get(i) ?? 0) + 1);
    score = (p) => {
      const doc = p.sparse[body.using];
      if (!doc) return undefined;
      let s = 0;
      let hit = false;
      q.indices.forEach((idx, k) => {
        const at = doc.indices.indexOf(idx);
        if (at < 0) return;
        hit = true;
        const idf = cfg.modifier === 'idf' ? Math.log(1 + (n - df.get(idx)! + 0.5) / (df.get(idx)! + 0.5)) : 1;
        s += q.values[k]! * doc.values[at]! * idf;
      });
      return hit ? s : undefined;
    };
  } else {
    const q = unit(body.query as number[]);
    score = (p) => p.vector.reduce((s, x, i) => s + x * q[i]!, 0);
  }
  return candidates
    .flatMap((p) => {
      const s = score(p);
      return s === undefined ? [] : [{ id: p.id, version: 1, score: s, payload: body.with_payload ? p.payload : null, vector: body.with_vector ? vectorsOf(col, p) : null }];
    })
    .sort((a, b) => b.score - a.score)
    .slice(0, body.limit ?? 10);
}

export interface FakeQdrant {
  url: string;
  requests: RecordedRequest[];
  outsideSpec: string[];
  unimplemented: string[];
  close(): Promise<void>;
}

export async function startFakeQdrant(opts: { apiKey?: string } = {}): Promise<FakeQdrant> {
  const routes = specRoutes();
  const collections = new Map<string, Collection>();
  const requests: RecordedRequest[] = [];
  const outsideSpec: string[] = [];
  const unimplemented: string[] = [];

  const ok = <T>(result: T) => ({ status: 'ok', time: 0.0001, result });
  const update = (): S['UpdateResult'] => ({ operation_id: 1, status: 'completed' });

  function handle(route: SpecRoute, name: string, body: any): [number, unknown] {
    const key = `${route.method} ${route.template}`;
    const col = collections.get(name);
    const missing: [number, unknown] = [404, { status: { error: `Not found: Collection \`${name}\` doesn't exist!` }, time: 0 }];
    switch (key) {
      case 'get /collections':
        return [200, ok<S['CollectionsResponse']>({ collections: [...collections.keys()].map((n) => ({ name: n })) })];
      case 'get /collections/{collection_name}/exists':
        return [200, ok<S['CollectionExistence']>({ exists: collections.has(name) })];
      case 'put /collections/{collection_name}': {
        if (col) return [409, { status: { error: `Wrong input: Collection \`${name}\` already exists!` }, time: 0 }];
        collections.set(name, { size: body.vectors.size, sparse: body.sparse_vectors ?? {}, points: new Map(), indexes: {} });
        return [200, ok(true)];
      }
      case 'get /collections/{collection_name}': {
        if (!col) return missing;
        const info: S['CollectionInfo'] = {
          status: 'green',
          optimizer_status: 'ok',
          segments_count: 1,
          points_count: col.points.size,
          indexed_vectors_count: 0,
          config: {
            params: {
              vectors: { size: col.size, distance: 'Cosine' },
              ...(Object.keys(col.sparse).length ? { sparse_vectors: col.sparse as S['CollectionParams']['sparse_vectors'] } : {}),
              shard_number: 1,
              replication_factor: 1,
              write_consistency_factor: 1,
              on_disk_payload: true,
            },
            hnsw_config: { m: 16, ef_construct: 100, full_scan_threshold: 10000 },
            optimizer_config: { deleted_threshold: 0.2, vacuum_min_vector_number: 1000, default_segment_number: 0, flush_interval_sec: 5 },
          },
          payload_schema: {},
        };
        return [200, ok(info)];
      }
      case 'put /collections/{collection_name}/index':
        if (!col) return missing;
        col.indexes[body.field_name] = body.field_schema;
        return [200, ok(update())];
      case 'put /collections/{collection_name}/points':
        if (!col) return missing;
        for (const p of body.points as { id: string | number; vector: number[] | Record<string, number[] | Sparse>; payload?: Payload }[]) {
          const named = Array.isArray(p.vector) ? { '': p.vector } : p.vector;
          const dense = named[''] as number[] | undefined;
          if (!dense || dense.length !== col.size) return [400, { status: { error: `Wrong input: Vector dimension error: expected dim: ${col.size}, got ${dense?.length}` }, time: 0 }];
          const sparse: Record<string, Sparse> = {};
          for (const [k, vec] of Object.entries(named)) {
            if (k === '') continue;
            if (!col.sparse[k]) return [400, { status: { error: `Wrong input: Not existing vector name error: ${k}` }, time: 0 }];
            sparse[k] = vec as Sparse;
          }
          col.points.set(String(p.id), { id: p.id, vector: unit(dense), sparse, payload: p.payload ?? {} });
        }
        return [200, ok(update())];
      case 'post /collections/{collection_name}/points': {
        if (!col) return missing;
        const recs: S['Record'][] = (body.ids as (string | number)[]).flatMap((id) => {
          const p = col.points.get(String(id));
          return p ? [{ id: p.id, payload: body.with_payload ? p.payload : null, vector: body.with_vector ? vectorsOf(col, p) : null }] : [];
        });
        return [200, ok(recs)];
      }
      case 'post /collections/{collection_name}/points/query': {
        if (!col) return missing;
        const points = query(col, body);
        return typeof points === 'string' ? [400, { status: { error: points }, time: 0 }] : [200, ok<S['QueryResponse']>({ points })];
      }
      case 'post /collections/{collection_name}/points/query/batch': {
        if (!col) return missing;
        const out: S['QueryResponse'][] = [];
        for (const search of body.searches) {
          const points = query(col, search);
          if (typeof points === 'string') return [400, { status: { error: points }, time: 0 }];
          out.push({ points });
        }
        return [200, ok(out)];
      }
      case 'post /collections/{collection_name}/points/delete':
        if (!col) return missing;
        if (body.points) for (const id of body.points) col.points.delete(String(id));
        if (body.filter) for (const [k, p] of col.points) if (matches(p, body.filter)) col.points.delete(k);
        return [200, ok(update())];
      case 'post /collections/{collection_name}/points/count':
        if (!col) return missing;
        return [200, ok<S['CountResult']>({ count: [...col.points.values()].filter((p) => matches(p, body.filter)).length })];
      case 'post /collections/{collection_name}/points/scroll': {
        if (!col) return missing;
        const all = [...col.points.values()].filter((p) => matches(p, body.filter)).sort((a, b) => String(a.id).localeCompare(String(b.id)));
        const from = body.offset === undefined || body.offset === null ? 0 : all.findIndex((p) => String(p.id) >= String(body.offset));
        const page = from < 0 ? [] : all.slice(from, from + body.limit);
        const next = from >= 0 ? all[from + body.limit] : undefined;
        const res: S['ScrollResult'] = {
          points: page.map((p) => ({ id: p.id, payload: body.with_payload ? p.payload : null, vector: body.with_vector ? vectorsOf(col, p) : null })),
          next_page_offset: next ? next.id : null,
        };
        return [200, ok(res)];
      }
      case 'post /collections/{collection_name}/facet': {
        if (!col) return missing;
        if (!col.indexes[body.key]) return [400, { status: { error: `Bad request: Index required but not found for "${body.key}"` }, time: 0 }];
        const counts = new Map<string, number>();
        for (const p of col.points.values()) {
          if (!matches(p, body.filter)) continue;
          const v = fieldAt(p.payload, body.key);
          if (typeof v === 'string') counts.set(v, (counts.get(v) ?? 0) + 1);
        }
        const hits: S['FacetValueHit'][] = [...counts].map(([value, count]) => ({ value, count })).slice(0, body.limit ?? 10);
        return [200, ok<S['FacetResponse']>({ hits })];
      }
      default:
        unimplemented.push(key);
        return [501, { status: { error: `the test server does not implement ${key}` }, time: 0 }];
    }
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const method = (req.method ?? 'GET').toLowerCase();
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (opts.apiKey && req.headers['api-key'] !== opts.apiKey) return send(401, { status: { error: 'Unauthorized' }, time: 0 });
      const route = routes.find((r) => r.method === method && r.pattern.test(url.pathname));
      if (!route) {
        outsideSpec.push(`${method.toUpperCase()} ${url.pathname}`);
        return send(404, { status: { error: `${method.toUpperCase()} ${url.pathname} is not in the Qdrant API` }, time: 0 });
      }
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        return send(400, { status: { error: 'body is not JSON' }, time: 0 });
      }
      requests.push({ template: route.template, method, query: Object.fromEntries(url.searchParams), body });
      const name = decodeURIComponent(url.pathname.split('/')[2] ?? '');
      try {
        const [status, out] = handle(route, name, body);
        send(status, out);
      } catch (err) {
        send(400, { status: { error: `bad request: ${(err as Error).message}` }, time: 0 });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    outsideSpec,
    unimplemented,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
