import { requireFlow } from '../access';
import { notFound } from '../errors';
import type { Router } from '../router';
import type { SessionsPort } from '../services';

export function registerSessionRoutes(router: Router, sessions: SessionsPort): void {
  async function check(principal: Parameters<typeof requireFlow>[0], sessionId: string, action: string) {
    const flowId = await sessions.flowOf(sessionId);
    if (!flowId) throw notFound('session_not_found', `no session "${sessionId}"`);
    requireFlow(principal, flowId, action);
  }

  router.add(
    'POST',
    '/v1/sessions/{session}/messages',
    async ({ principal, params, body }) => {
      await check(principal, params.session, 'send messages to');
      return sessions.send(params.session, body.message);
    },
    { body: 'SessionMessageRequest', status: 202 },
  );

  router.add('GET', '/v1/sessions/{session}', async ({ principal, params }) => {
    await check(principal, params.session, 'read sessions of');
    return sessions.read(params.session);
  });
}
