// Pure (no Node APIs): the flow engine's definition checks may import these.

/** An act request that can never run (bad field or limit); the message names the field. */
export class ActRequestError extends Error {
  override name = 'ActRequestError';
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`act request: ${field} ${problem}`);
  }
}

/** The worker cannot make sandboxes (missing isolation, Pyodide failing to start): retryable. */
export class SandboxUnavailableError extends Error {
  override name = 'SandboxUnavailableError';
}
