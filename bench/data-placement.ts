// Where should vault item text live in production: in the Qdrant point's payload (today), or in a
// PostgreSQL row joined to ids from Qdrant? Measured on the real servers (docs/vaults.md, "Where
// the data lives"): top-10 search latency both ways, and exporting every item's text both ways.
// Vectors are random unit vectors: this measures the storage layout, not the embedder.
//   node bin/run-ts.js bench/data-placement.ts [--items 5000] [--queries 300]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { QdrantClient } from '@qdrant/js-client-rest';
import { startPostgres } from '../scripts/postgres-server';
import { findQdrantBinary, installedQdrant, startQdrant } from '../scripts/qdrant-server';
import { numberFlag, percentile } from './lib/stats';

const ITEMS = numberFlag('items', 5000);
const QUERIES = numberFlag('queries', 300);
const DIM = 384;
const COLLECTION = 'placement_bench';

function unitVector(): number[] {
  const v = Array.from({ length: DIM }, () => Math.random() - 0.5);
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

const text = (i: number) => `Item ${i}: ${'policy text about refunds, shipping, invoices and support hours '.repeat(8)}`.slice(0, 600);
const ms = (xs: number[]) => `p50 ${percentile(xs, 50).toFixed(2)} ms, p95 ${percentile(xs, 95).toFixed(2)} ms`;

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'par-bench-placement-'));
  const { file, looked } = findQdrantBinary();
  if (!file) throw new Error(`this benchmark needs the real Qdrant binary (looked at ${looked.join(', ')}; or set PAR_QDRANT_BINARY)`);
  const [postgres, qdrantServer] = await Promise.all([startPostgres({ logFile: path.join(dir, 'postgres.log') }), startQdrant(installedQdrant(file), { logFile: path.join(dir, 'qdrant.log') })]);
  const qdrant = new QdrantClient({ url: qdrantServer.url, checkCompatibility: false });
  const db = new pg.Pool({ connectionString: postgres.url, max: 4 });
  try {
    console.error(`[placement] writing ${ITEMS} items (${DIM}-dim vectors, 600-character texts)...`);
    await qdrant.createCollection(COLLECTION, { vectors: { size: DIM, distance: 'Cosine' } });
    await db.query('CREATE TABLE items (id integer PRIMARY KEY, text text NOT NULL, metadata jsonb NOT NULL)');
    for (let b = 0; b < ITEMS; b += 500) {
      const ids = Array.from({ length: Math.min(500, ITEMS - b) }, (_, i) => b + i);
      await qdrant.upsert(COLLECTION, { wait: true, points: ids.map((id) => ({ id, vector: unitVector(), payload: { text: text(id), metadata: { team: id % 5 } } })) });
      await db.query('INSERT INTO items SELECT * FROM unnest($1::int[], $2::text[], $3::jsonb[])', [ids, ids.map(text), ids.map((id) => JSON.stringify({ team: id % 5 }))]);
    }
    const queries = Array.from({ length: QUERIES }, unitVector);
    // Warm both paths.
    for (const q of queries.slice(0, 20)) {
      await qdrant.query(COLLECTION, { query: q, limit: 10, with_payload: true });
      await db.query('SELECT id, text FROM items WHERE id = ANY($1)', [[1, 2, 3]]);
    }
    const inPayload: number[] = [];
    const joined: number[] = [];
    const idsOnly: number[] = [];
    // Each query both ways, the order alternating, so drift in the machine's load hits both alike.
    const viaPayload = async (q: number[]) => {
      const t = performance.now();
      await qdrant.query(COLLECTION, { query: q, limit: 10, with_payload: true });
      inPayload.push(performance.now() - t);
    };
    const viaJoin = async (q: number[]) => {
      const t = performance.now();
      const res = await qdrant.query(COLLECTION, { query: q, limit: 10, with_payload: false });
      idsOnly.push(performance.now() - t);
      await db.query('SELECT id, text, metadata FROM items WHERE id = ANY($1)', [res.points.map((p) => Number(p.id))]);
      joined.push(performance.now() - t);
    };
    for (const [i, q] of queries.entries()) {
      if (i % 2) await viaPayload(q).then(() => viaJoin(q));
      else await viaJoin(q).then(() => viaPayload(q));
    }
    let t = performance.now();
    let exported = 0;
    let offset: string | number | undefined | null;
    do {
      const page = await qdrant.scroll(COLLECTION, { limit: 256, offset: offset ?? undefined, with_payload: true, with_vector: false });
      exported += page.points.length;
      offset = page.next_page_offset as string | number | null | undefined;
    } while (offset !== null && offset !== undefined);
    const exportQdrantMs = performance.now() - t;
    t = performance.now();
    const rows = (await db.query('SELECT id, text, metadata FROM items ORDER BY id')).rowCount;
    const exportPgMs = performance.now() - t;

    console.log(`data placement: ${ITEMS} items, ${QUERIES} top-10 queries, ${os.cpus().length} cores, load average ${os.loadavg()[0].toFixed(2)}`);
    console.log('| path | latency / time |');
    console.log('| --- | ---: |');
    console.log(`| search, text in the Qdrant payload (one call) | ${ms(inPayload)} |`);
    console.log(`| search, ids from Qdrant + rows from PostgreSQL | ${ms(joined)} |`);
    console.log(`|   of which the Qdrant call alone | ${ms(idsOnly)} |`);
    console.log(`| join / payload, at the median | ${(percentile(joined, 50) / percentile(inPayload, 50)).toFixed(2)}x |`);
    console.log(`| export all text: Qdrant scroll, pages of 256 | ${exportQdrantMs.toFixed(0)} ms (${exported} items, ${((exported / exportQdrantMs) * 1000).toFixed(0)} items/s) |`);
    console.log(`| export all text: one PostgreSQL SELECT | ${exportPgMs.toFixed(0)} ms (${rows} rows, ${((Number(rows) / exportPgMs) * 1000).toFixed(0)} rows/s) |`);
  } finally {
    await db.end();
    await Promise.allSettled([postgres.stop(), qdrantServer.stop()]);
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(`[placement] failed: ${(err as Error).stack ?? err}`);
    process.exit(1);
  },
);
