import { ApplicationFailure } from '@temporalio/common';

/**
 * Why an integration call failed, as a stable code. Retryable codes are the ones a later attempt
 * can fix (the network, a timeout, 408/429/5xx); the rest need a change of flow or setup.
 */
export type IntegrationErrorCode =
  | 'bad_request'
  | 'secret_missing'
  | 'secrets_file'
  | 'host_not_allowed'
  | 'recipient_not_allowed'
  | 'response_too_large'
  | 'http_status'
  | 'timeout'
  | 'network'
  | 'not_configured'
  | 'provider_error'
  | 'smtp'
  | 'mcp_server_unknown'
  | 'mcp_error';

export interface IntegrationErrorInit {
  retryable?: boolean;
  status?: number;
  retryAfterMs?: number;
  cause?: unknown;
}

export class IntegrationError extends Error {
  override name = 'IntegrationError';
  readonly retryable: boolean;
  readonly status?: number;
  readonly retryAfterMs?: number;

  constructor(
    readonly code: IntegrationErrorCode,
    message: string,
    init: IntegrationErrorInit = {},
  ) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.retryable = init.retryable ?? false;
    this.status = init.status;
    this.retryAfterMs = init.retryAfterMs;
  }
}

/** Retried by the activity's policy: request timeout, rate limit, server errors. */
export function retryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** The Temporal form: type `IntegrationError.<code>`, non-retryable unless the code says so. */
export function toFailure(err: IntegrationError): ApplicationFailure {
  return ApplicationFailure.create({
    message: err.message,
    type: `IntegrationError.${err.code}`,
    nonRetryable: !err.retryable,
    nextRetryDelay: err.retryAfterMs,
    details: [{ code: err.code, status: err.status ?? null }],
  });
}

/**
 * Runs an activity body, turning IntegrationErrors into ApplicationFailures. `redact` scrubs
 * secret values from every error message (a library may quote a header value it refused).
 */
export async function asActivity<T>(body: () => Promise<T>, redact: (text: string) => string = (t) => t): Promise<T> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof IntegrationError) throw toFailure(new IntegrationError(err.code, redact(err.message), err));
    if (err instanceof Error && redact(err.message) !== err.message) {
      throw ApplicationFailure.create({ message: redact(err.message), type: `IntegrationError.network`, nonRetryable: false });
    }
    throw err;
  }
}
