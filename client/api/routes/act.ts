import { randomUUID } from 'node:crypto';
import type { ActRequest } from '../../../activities/contracts';
import { canFlow, type Principal } from '../auth/grants';
import { requireFlow, requireVault } from '../access';
import { ApiError, forbidden } from '../errors';
import type { Router } from '../router';
import type { FlowsPort } from '../services';
import { ActScriptError, runActScript } from '../../services/act-script';
import { checkFlowId } from './run-owner';

// Trying an act node alone (the studio's "try" button): the script runs on a worker through the
// same activity and sandbox as an act node in a run. Running code is what a flow grant already
// allows (a key may start its flows with an inline definition holding any act node), so the try-out
// needs the grant of the flow being edited (body.flow), or any flow grant when none is named; a
// vault the script may search needs read access to it.

function requireActRight(p: Principal, flow: string | undefined): void {
  if (flow) return requireFlow(p, checkFlowId(flow), 'try act nodes of');
  if (!p.unrestricted && p.grants.flows.length === 0 && !canFlow(p, '*')) {
    throw forbidden(`API key ${p.keyId} has no flow grant, which trying act code needs (grant one with --flow FLOW)`);
  }
}

export function registerActRoutes(router: Router, flows: FlowsPort): void {
  router.add(
    'POST',
    '/v1/act/run',
    async ({ principal, body }) => {
      requireActRight(principal, body.flow);
      if (body.vault) requireVault(principal, body.vault, 'read');
      const req: ActRequest = {
        code: body.code,
        variables: body.variables ?? {},
        message: body.message ?? '',
        history: [],
        limits: { ...(body.timeoutMs !== undefined ? { timeoutMs: body.timeoutMs } : {}), ...(body.memoryMb !== undefined ? { memoryMb: body.memoryMb } : {}) },
        ...(body.vault ? { vault: body.vault } : {}),
        ...(body.model ? { model: body.model } : {}),
        runId: `act-try-${randomUUID()}`,
      };
      const r = await runActScript(flows.client, flows.taskQueue, req).catch((err: unknown) => {
        throw err instanceof ActScriptError ? new ApiError(err.status, err.code, err.message) : err;
      });
      return { ok: r.ok, save: r.saved, stdout: r.output, error: r.error ?? null, durationMs: r.durationMs, runId: r.workflowId };
    },
    { body: 'ActRunRequest' },
  );
}
