import { runStreamChannel } from '../../../activities/streams';
import { newRunId } from '../../services/flows';
import type { FlowDefinition } from '../../../workflows/flow/types';
import { WorkflowNotFoundError } from '@temporalio/client';
import { canEveryFlow, canFlow, type Principal } from '../auth/grants';
import { requireFlow } from '../access';
import { requireFlowDataAccess } from '../flow-access';
import { badRequest, notFound } from '../errors';
import type { Router } from '../router';
import type { FlowsPort } from '../services';
import { lastEventId, relayChannel, SseWriter } from '../sse';
import { checkFlowId, flowOfRun } from './run-owner';
import { listApprovals } from '../../services/approval-inbox';
import type { RouteDeps } from './route-deps';

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
      // The flows it starts are looked up (stored first, then files) so their writes count as known variables.
      const issues = await flows.catalog.validate(def);
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
      if (definition && body.version !== undefined) throw badRequest('invalid_body', 'give either body.definition or body.version (a stored version of the flow), not both');
      const prepared = await flows.prepare(definition ?? flowId, body.version);
      requireFlowDataAccess(principal, [prepared.definition, ...Object.values(prepared.library)], body.tenant);
      const runId: string = body.runId ?? newRunId(flowId);
      const started = await flows.start(
        prepared,
        { message: body.message, history: body.history, variables: body.variables, sessionId: body.sessionId, tenant: body.tenant, streamChannel: runStreamChannel(runId) },
        { runId },
      );
      return {
        runId: started.runId,
        flowId: started.flowId,
        ...(started.flowVersion !== undefined ? { flowVersion: started.flowVersion } : {}),
        events: `/v1/runs/${encodeURIComponent(started.runId)}/events`,
      };
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
    const versionRaw = query.get('version');
    const flowVersion = versionRaw === null ? undefined : Number(versionRaw);
    if (flowVersion !== undefined && (!/^\d+$/.test(versionRaw!) || !Number.isSafeInteger(flowVersion) || flowVersion < 1)) throw badRequest('invalid_query', `version must be a positive integer (a stored flow version), got "${versionRaw}"`);
    const text = query.get('q')?.trim() || undefined;
    const runs = await flows.list({ flowId, status, flowVersion, text, limit, accept: (r) => !!r.flowId && canFlow(principal, r.flowId) });
    return { runs };
  });

  router.add('GET', '/v1/runs/{run}', async ({ principal, params }) => {
    await checkRun(principal, params.run, 'read runs of');
    return flows.status(params.run);
  });

  router.add('GET', '/v1/approvals', async ({ principal, query }) => {
    const status = query.get('status') ?? 'pending';
    if (status !== 'pending' && status !== 'decided') throw badRequest('invalid_query', `status must be pending or decided, got "${status}"`);
    const flowId = query.get('flow') ?? undefined;
    if (flowId) requireFlow(principal, checkFlowId(flowId), 'read approvals of');
    const limitRaw = query.get('limit');
    const runLimit = limitRaw === null ? 100 : Number(limitRaw);
    if (!Number.isInteger(runLimit) || runLimit < 1 || runLimit > 500) throw badRequest('invalid_query', `limit must be an integer from 1 to 500, got "${limitRaw}"`);
    const approvals = await listApprovals(flows, {
      status,
      flowId,
      runLimit,
      accept: (r) => !!r.flowId && canFlow(principal, r.flowId),
      decider: principal.unrestricted ? undefined : decidedBy(principal),
    });
    return { approvals };
  });

  for (const decision of ['approve', 'reject'] as const) {
    router.add(
      'POST',
      `/v1/runs/{run}/${decision}`,
      async ({ principal, params, body }) => {
        // Which flow the run belongs to matters only to a key limited to some flows; for the others
        // that describe would be one more server round trip per decision, for nothing.
        if (!canEveryFlow(principal)) await checkRun(principal, params.run, decision);
        const by = decidedBy(principal);
        const decided = await flows.decide(params.run, { decision, by, node: body.node, comment: body.comment }).catch((err: unknown) => {
          throw err instanceof WorkflowNotFoundError ? notFound('run_not_found', `no run "${params.run}"`) : err;
        });
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
