/**
 * `make` run once and its promise shared by every caller, unless it fails: a failure is
 * forgotten, so the next call (the next activity attempt, after the model is installed or the
 * store is back) tries again instead of failing forever.
 */
export function onceUntilFailure<T>(make: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () =>
    (pending ??= make().catch((err: unknown) => {
      pending = undefined;
      throw err;
    }));
}
