/**
 * A result now, a promise of it, or one call to wait for and what to do with its answer.
 *
 * Why not just promises: Temporal's workflow sandbox captures and source-maps a stack trace for
 * every promise workflow code creates (it serves the "stack trace" query), and that costs about
 * 0.1–0.2 ms a promise, which is more than the rest of a node's work (docs/performance.md). An
 * async function is one promise and each `await` in it another. So a node that does no I/O
 * returns its result synchronously, and a node that waits for one activity returns
 * `awaiting(call, finish)`: the interpreter awaits the call itself, adding no promise of the node's
 * own to the ones the activity already costs.
 */
export type Eventually<R> = R | Promise<R | Awaiting<unknown, R>> | Awaiting<unknown, R>;

/** Wait for `call`, then finish with its value (which may itself wait for another call). */
export class Awaiting<T, R> {
  constructor(
    readonly call: Promise<T>,
    readonly finish: (value: T) => Eventually<R>,
  ) {}
}

export function awaiting<T, R>(call: Promise<T>, finish: (value: T) => Eventually<R>): Awaiting<unknown, R> {
  return new Awaiting(call, finish) as Awaiting<unknown, R>;
}

export function isPromise<R>(value: Eventually<R>): value is Promise<R | Awaiting<unknown, R>> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/** `f` applied to the eventual value, with no promise of its own unless `e` is a promise. */
export function andThen<T, R>(e: Eventually<T>, f: (value: T) => Eventually<R>): Eventually<R> {
  if (e instanceof Awaiting) return awaiting(e.call, (v) => andThen(e.finish(v), f));
  if (isPromise(e)) return settle(e).then((v) => settle(f(v)));
  return f(e);
}

/** The eventual value, awaiting each call in turn. */
export async function settle<R>(e: Eventually<R>): Promise<R> {
  let current = e;
  for (;;) {
    if (current instanceof Awaiting) current = current.finish(await current.call);
    else if (isPromise(current)) current = await current;
    else return current;
  }
}
