import { ParError } from '../../workflows/errors';

/** Chat input that cannot work: a bad option or a prompt that cannot fit the model. */
export class ChatError extends ParError {
  override name = 'ChatError';
  override readonly retryable = false;
  constructor(
    message: string,
    readonly code: 'bad_request' | 'context_overflow' = 'bad_request',
  ) {
    super(message);
  }
}
