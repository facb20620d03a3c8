import { runStreamChannel } from '../../../activities/streams';
import { validateFlow } from '../../../workflows/flow/validate';
import type { FlowDefinition } from '../../../workflows/flow/types';
import { canFlow, type Principal } from '../auth/grants';
import { requireFlow } from '../access';
import { requireFlowDataAccess } from '../flow-access';
import { badRequest } from '../errors';
import type { Router } from '../router';
import type { FlowsPort } from '../services';
import { lastEventId, relayChannel, SseWriter } from '../sse';
import { checkFlowId, flowOfRun } from './run-owner';
import type { RouteDeps } from './index';

const RUN_STATUSES = ['running', 'waiting_approval', 'waiting_timer', 'completed', 'failed', 'cancelled'];

/** Who decided, as recorded in the run: the key's unique name (see ApiKeyStore.create). */
export function decidedBy(p: Principal): string {
  return p.unrestricted ? 'local-developer' : p.name;
}

export function registerFlowRoutes(router: Router, flows: FlowsPort, deps: RouteDeps): void {
  async function checkRun(principal: Principal, runId: string, action: string): Promise<string> {
    const flowId = await flowOfRun(flows, runId);
    requireFlow(principal, flowId, action);
    return flowId;
  }

  router.add(
    'POST',
    '/v1/flows/validate',
    async ({ body }) => {
      const def = body.definition as FlowDefinition;
      const library = flows.registry.resolveLibrary(def);
      const issues = validateFlow(def, (id) => library[id] ?? (id === def.id ? def : undefined));
      return { flow: def.id ?? null, valid: issues.length === 0, issues };
    },
    { body: 'ValidateFlowRequest' },
  );

  router.add(
    'POST',
    '/v1/flows/{flow}/runs',
    async ({ principal, params, body }) => {
      const flowId = checkFlowId(params.flow);
      requireFlow(principal, flowId, 'run');
      const definition = body.definition as FlowDefinition | undefined;
      if (definition && definition.id !== flowId) {
        throw badRequest('invalid_body', `body.definition.id is ${JSON.stringify(definition.id)} but the URL names flow "${flowId}"`);
      }
      const prepared = flows.prepare(definition ?? flowId);
      requireFlowDataAccess(principal, [prepared.definition, ...Object.values(prepared.library)], body.tenant);
      const runId: string = body.runId ?? `${flowId}-${crypto.randomUUID()}`;
      const started = await flows.start(
        definition ?? flowId,
        { message: body.message, history: body.history, variables: body.variables, sessionId: body.sessionId, tenant: body.tenant, streamChannel: runStreamChannel(runId) },
        { runId },
      );
      return { runId: started.runId, flowId: started.flowId, events: `/v1/runs/${encodeURIComponent(started.runId)}/events` };
    },
    { body: 'StartRunRequest', status: 201 },
  );

  router.add('GET', '/v1/runs', async ({ principal, query }) => {
    const flowId = query.get('flow') ?? undefined;
    const status = query.get('status') ?? undefined;
    if (status && !RUN_STATUSES.includes(status)) throw badRequest('invalid_query', `status must be one of ${RUN_STATUSES.join(', ')}, got "${status}"`);
    if (flowId) requireFlow(principal, checkFlowId(flowId), 'list runs of');
    const limitRaw = query.get('limit');
    const limit = limitRaw === null ? 100 : Number(limitRaw);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw badRequest('invalid_query', `limit must be an integer from 1 to 1000, got "${limitRaw}"`);
    const runs = await flows.list({ flowId, status, limit });
    return { runs: runs.filter((r) => r.flowId && canFlow(principal, r.flowId)) };
  });

  router.add('GET', '/v1/runs/{run}', async ({ principal, params }) => {
    await checkRun(principal, params.run, 'read runs of');
    return flows.status(params.run);
  });

  for (const decision of ['approve', 'reject'] as const) {
    router.add(
      'POST',
      `/v1/runs/{run}/${decision}`,
      async ({ principal, params, body }) => {
        await checkRun(principal, params.run, decision);
        const by = decidedBy(principal);
        const decided = await flows.decide(params.run, { decision, by, node: body.node, comment: body.comment });
        return { runId: params.run, decision, by, keyId: principal.keyId, node: decided.node };
      },
      { body: 'DecisionRequest' },
    );
  }

  router.add('POST', '/v1/runs/{run}/cancel', async ({ principal, params }) => {
    await checkRun(principal, params.run, 'cancel');
    await flows.cancel(params.run);
    return { runId: params.run, cancelled: true };
  });

  router.add('GET', '/v1/runs/{run}/history', async ({ principal, params }) => {
    await checkRun(principal, params.run, 'read the history of');
    return JSON.parse(await flows.history(params.run));
  });

  router.add(
    'GET',
    '/v1/runs/{run}/events',
    async (ctx) => {
      await checkRun(ctx.principal, ctx.params.run, 'stream');
      const sse = new SseWriter(ctx.res, deps.sse.keepAliveMs);
      try {
        await relayChannel(deps.services.bus, runStreamChannel(ctx.params.run), lastEventId(ctx.req, ctx.query), sse, ctx.signal, deps.sse);
      } finally {
        sse.end();
      }
    },
    { raw: true },
  );
}
