import { randomUUID } from 'node:crypto';
import { runStreamChannel } from '../../../activities/streams';
import { canFlow, type Principal } from '../auth/grants';
import { requireFlow } from '../access';
import { badRequest, notFound } from '../errors';
import type { Router } from '../router';
import type { FlowsPort } from '../services';
import { lastEventId, relayChannel, SseWriter } from '../sse';
import type { RouteDeps } from './index';

const RUN_STATUSES = ['running', 'waiting_approval', 'waiting_timer', 'completed', 'failed', 'cancelled'];

/** Who decided, as recorded in the run: the key's id and name. */
export function decidedBy(p: Principal): string {
  return `api-key:${p.keyId} (${p.name})`;
}

export function registerFlowRoutes(router: Router, flows: FlowsPort, deps: RouteDeps): void {
  async function runFor(principal: Principal, runId: string, action: string) {
    const state = await flows.status(runId);
    if (!state) throw notFound('run_not_found', `no run "${runId}"`);
    requireFlow(principal, state.flowId, action);
    return state;
  }

  router.add('POST', '/v1/flows/validate', async ({ body }) => flows.validate(body.definition), { body: 'ValidateFlowRequest' });

  router.add(
    'POST',
    '/v1/flows/{flow}/runs',
    async ({ principal, params, body }) => {
      requireFlow(principal, params.flow, 'run');
      const definition = body.definition as { id?: string } | undefined;
      if (definition && definition.id !== params.flow) {
        throw badRequest('invalid_body', `body.definition.id is "${definition.id}" but the URL names flow "${params.flow}"`);
      }
      const runId = (body.runId as string | undefined) ?? `run-${randomUUID()}`;
      const input: Record<string, unknown> = {};
      for (const k of ['message', 'history', 'variables', 'tenant'] as const) if (body[k] !== undefined) input[k] = body[k];
      const started = await flows.start(definition ? (definition as Record<string, unknown>) : params.flow, input, {
        runId,
        sessionId: body.sessionId,
        streamChannel: runStreamChannel(runId),
      });
      return { runId: started.runId, flowId: params.flow, events: `/v1/runs/${encodeURIComponent(started.runId)}/events` };
    },
    { body: 'StartRunRequest', status: 201 },
  );

  router.add('GET', '/v1/runs', async ({ principal, query }) => {
    const flowId = query.get('flow') ?? undefined;
    const status = query.get('status') ?? undefined;
    if (status && !RUN_STATUSES.includes(status)) throw badRequest('invalid_query', `status must be one of ${RUN_STATUSES.join(', ')}, got "${status}"`);
    if (flowId) requireFlow(principal, flowId, 'list runs of');
    const runs = await flows.list({ flowId, status });
    return { runs: runs.filter((r) => canFlow(principal, r.flowId)) };
  });

  router.add('GET', '/v1/runs/{run}', async ({ principal, params }) => ({ runId: params.run, ...(await runFor(principal, params.run, 'read runs of')) }));

  for (const action of ['approve', 'reject'] as const) {
    router.add(
      'POST',
      `/v1/runs/{run}/${action}`,
      async ({ principal, params, body }) => {
        await runFor(principal, params.run, action);
        const decision = { node: body?.node, comment: body?.comment, by: decidedBy(principal) };
        await flows[action](params.run, decision);
        return { runId: params.run, decision: action, by: decision.by, ...(decision.node ? { node: decision.node } : {}) };
      },
      { body: 'DecisionRequest' },
    );
  }

  router.add('POST', '/v1/runs/{run}/cancel', async ({ principal, params }) => {
    await runFor(principal, params.run, 'cancel');
    await flows.cancel(params.run);
    return { runId: params.run, cancelled: true };
  });

  router.add('GET', '/v1/runs/{run}/history', async ({ principal, params }) => {
    await runFor(principal, params.run, 'read the history of');
    return JSON.parse(await flows.history(params.run));
  });

  router.add(
    'GET',
    '/v1/runs/{run}/events',
    async (ctx) => {
      await runFor(ctx.principal, ctx.params.run, 'stream');
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
