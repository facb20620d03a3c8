import { activityContext } from '../common/activity-context';
import { inSpan } from '../common/spans';
import { toActivityFailure } from '../common/activity-failure';
import type { ActRequest, ActResult } from '../contracts';
import { ModelRouter } from '../models';
import { sharedVaultService } from '../vaults';
import { loadActConfig, type ActSandboxConfig } from './config';
import { ActRequestError, SandboxUnavailableError } from './errors';
import { createCallHandler, type SandboxHost } from './host-channel';
import { resolveActLimits } from './limits';
import { SandboxPool, type PoolLogger } from './pool';
import type { SandboxJob } from './protocol';
import { validateActRequest } from './request';
import { createServiceSandboxHost } from './service-host';

export interface ActActivityDeps {
  config?: ActSandboxConfig;
  /** Shared by every run of this worker; made on first use when not given. */
  pool?: SandboxPool;
  /** Answers the scripts' vault (and web) requests; the vault service and model router by default. */
  host?: SandboxHost;
  logger?: PoolLogger;
  heartbeatIntervalMs?: number;
}

/** How much of a run's output goes into the worker's log line (all of it is in the result). */
const LOGGED_OUTPUT_CHARS = 4000;

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}... (${text.length - max} more characters in the result)` : text;
}

/**
 * The act node's activity: runs the node's Python in a fresh sandbox. A script's failure,
 * exception or broken limit is a result with ok=false (the flow follows the node's error output);
 * it throws only when the request is malformed (not retried) or the worker cannot make a
 * sandbox (retried by Temporal, which reruns the script from the start).
 */
export function createActActivities(deps: ActActivityDeps = {}) {
  const config = deps.config ?? loadActConfig();
  const logger = deps.logger;
  let pool = deps.pool;
  const sandboxes = () => (pool ??= new SandboxPool(config, { logger }));
  let host = deps.host;
  const sandboxHost = () => (host ??= createServiceSandboxHost({ vaults: sharedVaultService, router: new ModelRouter() }));
  const heartbeatIntervalMs = deps.heartbeatIntervalMs ?? 2000;
  if (config.prewarm) {
    sandboxes()
      .warmUp()
      .catch((err: Error) => logger?.warn('act sandboxes could not be prewarmed', { error: err.message }));
  }

  async function actRun(req: ActRequest): Promise<ActResult> {
    let limits;
    try {
      validateActRequest(req);
      limits = resolveActLimits(req.limits, config.defaults);
    } catch (err) {
      if (err instanceof ActRequestError) throw toActivityFailure(err);
      throw err;
    }
    const limitAttributes = { 'par.act.timeout_ms': limits.timeoutMs, 'par.act.memory_mb': limits.memoryMb, 'par.act.output_bytes': limits.outputBytes };
    return inSpan('act.run', { ...limitAttributes, 'par.act.allowed_hosts': req.allowedHosts?.length ?? 0 }, async (span) => {
      const ctx = activityContext();
      const log = ctx?.log ?? logger;
      const allowedHosts = req.allowedHosts ?? [];
      const job: SandboxJob = {
        code: req.code,
        variables: req.variables,
        message: req.message,
        history: req.history.map((m) => ({ role: m.role, content: m.content })),
        vault: req.vault ?? null,
        allowedHosts,
      };
      const call = createCallHandler(sandboxHost(), { vault: req.vault ?? undefined, model: req.model ?? undefined, allowedHosts, maxCalls: config.maxHostCalls });
      const beat = ctx ? setInterval(() => ctx.heartbeat(), heartbeatIntervalMs) : undefined;
      let result: ActResult;
      try {
        result = await sandboxes().run(job, limits, { call }, ctx?.cancellationSignal);
      } catch (err) {
        if (err instanceof SandboxUnavailableError) throw toActivityFailure(err);
        throw err;
      } finally {
        if (beat) clearInterval(beat);
      }
      span.setAttributes({ 'par.act.ok': result.ok, 'par.act.duration_ms': result.durationMs, ...(result.error?.limit ? { 'par.act.limit_hit': result.error.limit } : {}) });
      const meta = { runId: req.runId, ok: result.ok, durationMs: result.durationMs, output: clip(result.output, LOGGED_OUTPUT_CHARS) };
      if (result.ok) log?.info('act script finished', meta);
      else log?.info('act script failed', { ...meta, error: result.error?.type, limit: result.error?.limit, message: result.error?.message, traceback: result.error?.traceback });
      return result;
    });
  }

  return { actRun };
}

export type ActActivities = ReturnType<typeof createActActivities>;
