import { ModelError } from './errors';

/**
 * One abort signal for a provider request that fires when the caller cancels (e.g. the
 * activity is cancelled) or when nothing arrives within the first-token timeout. Remembers
 * which of the two happened, so the error can say so.
 */
export class CallGuard {
  readonly controller = new AbortController();
  timedOut = false;
  private timer?: NodeJS.Timeout;
  private readonly onOuterAbort = () => this.controller.abort();

  constructor(
    private readonly outer: AbortSignal | undefined,
    private readonly firstTokenTimeoutMs: number | undefined,
    private readonly modelId: string,
  ) {
    if (outer?.aborted) this.controller.abort();
    else outer?.addEventListener('abort', this.onOuterAbort, { once: true });
    if (firstTokenTimeoutMs !== undefined && firstTokenTimeoutMs > 0) {
      this.timer = setTimeout(() => {
        this.timedOut = true;
        this.controller.abort();
      }, firstTokenTimeoutMs);
    }
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The first chunk (or the whole JSON response) arrived: the timeout no longer applies. */
  arrived(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.outer?.removeEventListener('abort', this.onOuterAbort);
  }

  /** The error to throw when the signal fired, or undefined when it did not. */
  abortError(): ModelError | undefined {
    if (this.timedOut) {
      return new ModelError('first_token_timeout', `${this.modelId} sent nothing within ${this.firstTokenTimeoutMs} ms`, { model: this.modelId });
    }
    if (this.outer?.aborted) return new ModelError('cancelled', `the call to ${this.modelId} was cancelled`, { model: this.modelId });
    return undefined;
  }
}
