import type { ModelMessage } from '../../../activities/contracts';
import { ModelError } from '../../../activities/models/errors';

/** A conversation of one user message. */
export const user = (content: string): ModelMessage[] => [{ role: 'user', content }];

/** The ModelError a call fails with (the test fails if it succeeds or throws anything else). */
export async function failure(promise: Promise<unknown>): Promise<ModelError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ModelError);
  return err as ModelError;
}
