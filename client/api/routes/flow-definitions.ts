import fs from 'node:fs';
import type { FlowDefinition } from '../../../workflows/flow/types';
import { nodeTypeCatalogue } from '../../../workflows/nodes/catalogue';
import { StoredFlowNotFoundError, type FlowLayout } from '../../services/flow-store';
import { canFlow, type Principal } from '../auth/grants';
import { requireFlow } from '../access';
import { requireFlowDataAccess } from '../flow-access';
import { ApiError, badRequest, notFound } from '../errors';
import type { Router } from '../router';
import type { FlowsPort } from '../services';
import { decidedBy } from './flows';
import { checkFlowId } from './run-owner';

// The flows people edit: stored flows (every save a new version) and the example files in flows/.
// A stored flow wins over a file of the same id. Reading a flow needs its flow grant; saving one
// also needs access to every vault and memory it touches (a key saves only flows it could run).

const catalogue = nodeTypeCatalogue();

function positiveVersion(raw: string, what: string): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < 1) throw badRequest('invalid_version', `${what} must be a positive integer, got "${raw}"`);
  return n;
}

/** The positions of the definition's own nodes (a drawing may still name nodes deleted since). */
function layoutOf(definition: FlowDefinition, layout: FlowLayout | undefined): FlowLayout | undefined {
  if (!layout) return undefined;
  const ids = new Set(definition.nodes.map((n) => n.id));
  const kept = Object.entries(layout).filter(([id]) => ids.has(id));
  return kept.length ? Object.fromEntries(kept) : undefined;
}

export function registerFlowDefinitionRoutes(router: Router, flows: FlowsPort): void {
  const store = () => {
    if (!flows.store) throw new ApiError(503, 'flow_store_unavailable', 'this API process has no flow store');
    return flows.store;
  };

  /** Validates a definition for saving under `flowId` and checks the key could run it. */
  async function checkSavable(principal: Principal, flowId: string, definition: FlowDefinition): Promise<void> {
    if (definition.id !== flowId) throw badRequest('invalid_body', `definition.id is ${JSON.stringify(definition.id)} but the URL names flow "${flowId}"`);
    const issues = await flows.catalog.validate(definition);
    if (issues.length) throw new ApiError(400, 'invalid_flow', `flow "${flowId}" is invalid: ${issues.length} issue(s); see details.issues`, { issues });
    requireFlowDataAccess(principal, [definition, ...Object.values(await flows.catalog.resolveLibrary(definition))], undefined);
  }

  router.add('GET', '/v1/node-types', async () => ({ nodeTypes: catalogue }));

  router.add('GET', '/v1/flows', async ({ principal }) => {
    const stored = flows.store ? await flows.store.list() : [];
    const storedIds = new Set(stored.map((f) => f.id));
    const files = flows.registry
      .list()
      .filter((f) => !storedIds.has(f.id))
      .map((f) => ({ id: f.id, version: null, updatedAt: fs.statSync(f.file).mtime.toISOString(), updatedBy: null, source: 'file' as const }));
    const all = [...stored.map((f) => ({ ...f, source: 'store' as const })), ...files].filter((f) => canFlow(principal, f.id));
    return { flows: all.sort((a, b) => a.id.localeCompare(b.id)) };
  });

  router.add('GET', '/v1/flows/{flow}', async ({ principal, params }) => {
    const flowId = checkFlowId(params.flow);
    requireFlow(principal, flowId, 'read');
    const found = await flows.catalog.find(flowId);
    if (!found) throw notFound('flow_not_found', `flow "${flowId}" not found: neither stored nor in the flow files`);
    return { id: flowId, version: found.version ?? null, definition: found.definition, updatedAt: found.updatedAt ?? null, updatedBy: found.updatedBy ?? null, source: found.source, ...(found.layout ? { layout: found.layout } : {}) };
  });

  router.add(
    'PUT',
    '/v1/flows/{flow}',
    async ({ principal, params, body }) => {
      const flowId = checkFlowId(params.flow);
      requireFlow(principal, flowId, 'save');
      const definition = body.definition as FlowDefinition;
      await checkSavable(principal, flowId, definition);
      // A save without a drawing (par flow save, a script) keeps the latest one for the nodes still there.
      const layout = layoutOf(definition, (body.layout as FlowLayout | undefined) ?? (await store().get(flowId))?.layout);
      const saved = await store().save(flowId, definition, { by: decidedBy(principal), message: body.message, baseVersion: body.baseVersion, layout });
      return { id: flowId, version: saved.version, createdAt: saved.createdAt, createdBy: saved.createdBy };
    },
    { body: 'SaveFlowRequest' },
  );

  router.add('DELETE', '/v1/flows/{flow}', async ({ principal, params }) => {
    const flowId = checkFlowId(params.flow);
    requireFlow(principal, flowId, 'delete');
    if (!(await store().delete(flowId, decidedBy(principal)))) {
      const file = flows.registry.find(flowId);
      throw notFound('flow_not_found', file ? `flow "${flowId}" is not stored (it comes from a file in flows/, which the API does not delete)` : `flow "${flowId}" is not stored`);
    }
    const file = flows.registry.find(flowId);
    return { id: flowId, deleted: true, ...(file ? { note: `the file flow "${flowId}" in flows/ is served again` } : {}) };
  });

  router.add('GET', '/v1/flows/{flow}/versions', async ({ principal, params }) => {
    const flowId = checkFlowId(params.flow);
    requireFlow(principal, flowId, 'read');
    const versions = await store().versions(flowId);
    if (!versions.length && !flows.registry.find(flowId)) throw notFound('flow_not_found', `flow "${flowId}" not found: neither stored nor in the flow files`);
    return { id: flowId, versions: versions.map(({ version, createdAt, createdBy, message }) => ({ version, createdAt, createdBy, message })) };
  });

  router.add('GET', '/v1/flows/{flow}/versions/{version}', async ({ principal, params }) => {
    const flowId = checkFlowId(params.flow);
    requireFlow(principal, flowId, 'read');
    const version = positiveVersion(params.version, 'version');
    const found = await store().get(flowId, version);
    if (!found) throw new StoredFlowNotFoundError(`flow "${flowId}" has no stored version ${version}`);
    return { ...found, source: 'store' };
  });

  router.add(
    'POST',
    '/v1/flows/{flow}/rollback',
    async ({ principal, params, body }) => {
      const flowId = checkFlowId(params.flow);
      requireFlow(principal, flowId, 'roll back');
      const old = await store().get(flowId, body.version);
      if (!old) throw new StoredFlowNotFoundError(`flow "${flowId}" has no stored version ${body.version}`);
      await checkSavable(principal, flowId, old.definition);
      const saved = await store().save(flowId, old.definition, { by: decidedBy(principal), message: body.message ?? `rollback to version ${body.version}`, baseVersion: body.baseVersion, layout: old.layout });
      return { id: flowId, version: saved.version, rolledBackTo: body.version, createdAt: saved.createdAt, createdBy: saved.createdBy };
    },
    { body: 'RollbackFlowRequest' },
  );
}
