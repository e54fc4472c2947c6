/**
 * Runs async steps one after another, in the order they were queued: a
 * step that fails does not stop the ones after it (its caller gets the
 * error). The one copy of this pattern for the service and, through
 * 'livehook', for plugins.
 */
export class Serial {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(step: () => Promise<T> | T): Promise<T> {
    const result = this.tail.then(step);
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Resolves once every step queued so far has settled. */
  async idle(): Promise<void> {
    await this.tail;
  }
}
