import type { FlowDefinition } from '../../../workflows/flow/types';
import { requireFlow } from '../access';
import { requireFlowDataAccess } from '../flow-access';
import { badRequest, notFound } from '../errors';
import type { Router } from '../router';
import type { FlowsPort } from '../services';
import { checkFlowId, flowOfSession } from './run-owner';

export function registerSessionRoutes(router: Router, flows: FlowsPort): void {
  router.add(
    'POST',
    '/v1/sessions/{session}/messages',
    async ({ principal, params, body }) => {
      // A session runs one flow: the one it was started with; the first message names it.
      const definition = body.definition as FlowDefinition | undefined;
      const named: string | undefined = body.flow ?? definition?.id;
      if (definition && body.flow && definition.id !== body.flow) {
        throw badRequest('invalid_body', `body.definition.id is ${JSON.stringify(definition.id)} but body.flow is "${body.flow}"`);
      }
      const existing = await flowOfSession(flows, params.session);
      if (existing && named && named !== existing) {
        throw badRequest('invalid_body', `session "${params.session}" runs flow "${existing}", not "${named}"`);
      }
      const flowId = existing ?? (named ? checkFlowId(named) : undefined);
      if (!flowId) throw badRequest('invalid_body', `session "${params.session}" does not exist yet: body.flow (or body.definition) must name the flow to start it with`);
      requireFlow(principal, flowId, 'send messages to');
      const prepared = await flows.prepare(definition ?? flowId);
      requireFlowDataAccess(principal, [prepared.definition, ...Object.values(prepared.library)], body.tenant);
      return flows.sendSessionMessage(params.session, prepared, body.message, { tenant: body.tenant, variables: body.variables });
    },
    { body: 'SessionMessageRequest' },
  );

  router.add('GET', '/v1/sessions/{session}', async ({ principal, params }) => {
    const flowId = await flowOfSession(flows, params.session);
    if (!flowId) throw notFound('session_not_found', `no session "${params.session}"`);
    requireFlow(principal, flowId, 'read sessions of');
    return flows.readSession(params.session);
  });
}
