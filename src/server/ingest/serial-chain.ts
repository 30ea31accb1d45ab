/**
 * One queue of work run one item at a time: group commits, the aggregation of what they appended,
 * and flushes, in order. A failed item fails its caller only; the chain goes on.
 *
 * @example
 * ```ts
 * const chain = new SerialChain();
 * await chain.run(() => aggregator.persist());
 * await chain.idle(); // read your writes: everything queued before is done
 * ```
 */
export class SerialChain {
  private tail: Promise<void> = Promise.resolve();

  /** Runs `work` after everything queued before it; resolves or rejects with its outcome. */
  run<T>(work: () => Promise<T>): Promise<T> {
    const result = this.tail.then(work);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  /** Resolves once everything queued so far has run. */
  idle(): Promise<void> {
    return this.tail;
  }
}
