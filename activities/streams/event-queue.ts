/**
 * A push-to-pull bridge: producers push values, one consumer awaits them in order. Used by the
 * bus adapters to turn callbacks (local listeners, Redis messages) into an async iterator.
 */
export class EventQueue<T> {
  private items: T[] = [];
  private waiter: ((v: void) => void) | undefined;
  private ended = false;

  push(item: T): void {
    if (this.ended) return;
    this.items.push(item);
    this.wake();
  }

  end(): void {
    this.ended = true;
    this.wake();
  }

  /** The next item, or undefined once ended and drained. */
  async next(): Promise<T | undefined> {
    while (this.items.length === 0) {
      if (this.ended) return undefined;
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
    return this.items.shift();
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }
}
