// The OpenAPI document kept in the repo and the routes the server has must agree exactly.
import { MemoryStreamBus } from '../../activities/streams';
import { createApiServer } from '../../client/api/server';
import type { ApiServices } from '../../client/api/services';
import { findProblem } from '../../client/api/schema';
import { loadOpenApi, schemaLookup } from '../../client/api/openapi';

// Every service group present, so every route is registered (the handlers are not called here).
const allGroups = { vaults: {}, chat: {}, flows: {}, memory: {} } as unknown as Omit<ApiServices, 'bus'>;

test('every route is documented and every documented operation is routed', () => {
  const { router, openapi } = createApiServer({ auth: { kind: 'insecure-local' }, services: { ...allGroups, bus: new MemoryStreamBus() } });
  const routed = router.routes.map((r) => `${r.method} ${r.path}`).sort();
  const documented = Object.entries(openapi.paths)
    .flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`))
    .filter((op) => op !== 'GET /healthz')
    .sort();
  expect(routed).toEqual(documented);
  for (const r of router.routes) {
    const op = openapi.paths[r.path][r.method.toLowerCase()] as { requestBody?: { content: { 'application/json': { schema: { $ref: string } } } }; security?: unknown[] };
    const ref = op.requestBody?.content['application/json'].schema.$ref;
    expect([r.path, ref]).toEqual([r.path, r.body ? `#/components/schemas/${r.body}` : undefined]);
    expect([r.path, op.security?.length === 0]).toEqual([r.path, !!r.public]);
  }
});

test('every $ref resolves and the validator reads every request schema', () => {
  const doc = loadOpenApi();
  const lookup = schemaLookup(doc);
  const refs = JSON.stringify(doc).match(/#\/components\/schemas\/\w+/g) ?? [];
  for (const ref of new Set(refs)) expect(() => lookup(ref)).not.toThrow();
  // Minimal valid bodies pass; the empty object fails exactly where a field is required.
  expect(findProblem({ text: 'x' }, lookup('AddItemRequest'), lookup, 'body')).toBeUndefined();
  expect(findProblem({ query: 'q', vaults: { a: null, b: 2 } }, lookup('CrossVaultSearchBody'), lookup, 'body')).toBeUndefined();
  expect(findProblem({ query: 'q', vaults: {} }, lookup('CrossVaultSearchBody'), lookup, 'body')).toMatch(/body.vaults/);
  expect(findProblem({ value: null }, lookup('FactPutRequest'), lookup, 'body')).toBeUndefined();
  expect(findProblem({}, lookup('ChatRequest'), lookup, 'body')).toBe('body.message is required');
  expect(findProblem({ message: 'm', temperature: 3 }, lookup('ChatRequest'), lookup, 'body')).toBe('body.temperature must be <= 2');
});
