// Pure (no Node APIs): the flow engine's definition checks may import these.
import { ParError } from '../../workflows/errors';


/** An act request that can never run (bad field or limit); the message names the field. */
export class ActRequestError extends ParError {
  override name = 'ActRequestError';
  readonly code = 'invalid_act_request';
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`act request: ${field} ${problem}`);
  }
}

/** The worker cannot make sandboxes (missing isolation, Pyodide failing to start): retryable. */
export class SandboxUnavailableError extends ParError {
  override name = 'SandboxUnavailableError';
  readonly code = 'sandbox_unavailable';
  override readonly retryable = true;
}
