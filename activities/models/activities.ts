import type { Context } from '@temporalio/activity';
import { activityContext } from '../common/activity-context';
import type { DecideRequest, DecideResult, GenerateRequest, GenerateResult } from '../contracts';
import { sharedStreamBus } from '../streams';
import type { StreamEvent } from '../streams/port';
import { ModelError, toApplicationFailure } from './errors';
import { ModelRouter } from './router';

export type PublishStreamEvent = (channel: string, event: StreamEvent) => Promise<void>;

export interface ModelActivityDeps {
  router?: ModelRouter;
  /** Where streamed events go; the process-wide stream bus by default. */
  publish?: PublishStreamEvent;
  /** Heartbeat interval while waiting on a non-streamed call. */
  heartbeatIntervalMs?: number;
}

/** A retryable failure is final on the retry policy's last attempt; only then do streams end in error. */
function isFinalFailure(err: ModelError, ctx: Context | undefined): boolean {
  if (!err.retryable || !ctx) return true;
  const max = ctx.info.retryPolicy?.maximumAttempts;
  return max !== undefined && max > 0 && ctx.info.attempt >= max;
}

/**
 * The model activities the flow engine calls. Failures leave as Temporal ApplicationFailures:
 * non-retryable for bad input, bad keys and other 4xx; retryable for 408/409/429/5xx and
 * network trouble, with the provider's Retry-After as the next retry delay.
 */
export function createModelActivities(deps: ModelActivityDeps = {}) {
  const router = deps.router ?? new ModelRouter();
  const publish: PublishStreamEvent = deps.publish ?? ((channel, event) => sharedStreamBus().publish(channel, event));
  const heartbeatIntervalMs = deps.heartbeatIntervalMs ?? 10_000;

  async function modelGenerate(req: GenerateRequest): Promise<GenerateResult> {
    const ctx = activityContext();
    const channel = req.streamChannel;
    // Publishing is chained so tokens reach the bus in order without holding up the model stream.
    let published: Promise<void> = Promise.resolve();
    let publishError: unknown;
    const send = (event: StreamEvent) => {
      if (!channel) return;
      published = published.then(() => publish(channel, event)).catch((err) => void (publishError ??= err));
    };
    const attempt = ctx?.info.attempt ?? 1;
    // Tokens of an earlier, failed attempt may already be out; tell readers to drop them.
    if (attempt > 1) send({ type: 'restart', attempt, message: `the model call is being retried (attempt ${attempt}); discard the text streamed since the last done event` });
    try {
      const result = await router.generate(req, {
        stream: true,
        signal: ctx?.cancellationSignal,
        onChunk: (text) => {
          ctx?.heartbeat();
          if (text) send({ type: 'token', text });
        },
      });
      send({ type: 'usage', usage: result.usage, model: result.model, latencyMs: result.latencyMs });
      send({ type: 'done', text: result.text });
      await published;
      if (publishError) ctx?.log.warn('model tokens could not be published to the stream bus', { channel, error: String(publishError) });
      return result;
    } catch (err) {
      if (!(err instanceof ModelError)) throw err;
      if (isFinalFailure(err, ctx)) send({ type: 'error', code: err.code, message: err.message, retryable: err.retryable });
      await published;
      throw toApplicationFailure(err);
    }
  }

  async function modelDecide(req: DecideRequest): Promise<DecideResult> {
    const ctx = activityContext();
    // Local activities (modelDecideOffline) cannot heartbeat; the workflow task's timeout covers them.
    const beat = ctx && !ctx.info.isLocal ? setInterval(() => ctx.heartbeat(), heartbeatIntervalMs) : undefined;
    try {
      return await router.decide(req, { signal: ctx?.cancellationSignal });
    } catch (err) {
      if (err instanceof ModelError) throw toApplicationFailure(err);
      throw err;
    } finally {
      if (beat) clearInterval(beat);
    }
  }

  /**
   * A decision by the offline model (a fast, idempotent read the flow engine runs as a local
   * activity); null when the model, after resolving "default" here in the worker, is a remote
   * one, which the workflow then calls through modelDecide, a regular activity.
   */
  async function modelDecideOffline(req: DecideRequest): Promise<DecideResult | null> {
    let offline: boolean;
    try {
      offline = router.isOffline(req.model);
    } catch (err) {
      if (err instanceof ModelError) throw toApplicationFailure(err);
      throw err;
    }
    return offline ? modelDecide(req) : null;
  }

  return { modelGenerate, modelDecide, modelDecideOffline };
}

export type ModelActivities = ReturnType<typeof createModelActivities>;
