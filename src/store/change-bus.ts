/**
 * Change notices among the replicas that share a store: "model m changed", "session s ended", "a
 * window was written". A notice says *that* something changed; the store holds *what* it is now, so a
 * replica that missed notices (its connection dropped) re-reads the store when told of the gap.
 * Adapters: {@link openLocalChangeBus} (in-process: the embedded single-process deployment) and
 * `postgres/change-bus.ts` (LISTEN/NOTIFY). One conformance suite (`change-bus-conformance.ts`) runs on
 * both.
 *
 * @example
 * ```ts
 * const stop = bus.subscribe("registry", async (body, fromSelf) => {
 *   if (!fromSelf) await registry.reload((body as { model: string }).model);
 * });
 * await bus.publish("registry", { model: "bike" });
 * ```
 */
export interface ChangeBus {
  /**
   * Sends `body` (JSON, at most {@link MAX_NOTICE_BYTES} once serialised) to every subscriber of
   * `topic` on every instance of the scope, this one included (its own subscribers get it with
   * `fromSelf` true, before this resolves). Resolves once the notice is sent: an instance's
   * {@link sync} that starts after that sees it.
   */
  publish(topic: string, body: unknown): Promise<void>;
  /**
   * Calls `listener` for every notice of `topic`, in publishing order per publisher. A listener's
   * promise is awaited by {@link sync}; its failure goes to the adapter's `onError`.
   */
  subscribe(topic: string, listener: ChangeListener): () => void;
  /**
   * Calls `listener` when notices may have been missed (the connection was lost and is back, or on
   * the adapter's fall-back poll): subscribers re-read what they keep from the store.
   */
  onGap(listener: () => void | Promise<void>): () => void;
  /**
   * The read barrier: resolves once every notice published anywhere before this call was delivered
   * here and its listeners' work has finished. A request handler that calls it first sees every
   * change whose answer (on any replica) came before the request was sent. While the adapter is
   * disconnected (or its database does not answer within a bound) it waits only for the work already
   * delivered: it never blocks a request on an outage; the gap listeners run once it is back.
   */
  sync(): Promise<void>;
  /** Stops delivering and closes the connection. */
  close(): Promise<void>;
}

/** A subscriber: the notice's body and whether this instance published it. */
export type ChangeListener = (body: unknown, fromSelf: boolean) => void | Promise<void>;

/**
 * The largest notice, in bytes of its JSON: PostgreSQL's NOTIFY takes under 8,000, and the in-process
 * adapter enforces the same limit so that code tested on SQLite does not fail on PostgreSQL.
 */
export const MAX_NOTICE_BYTES = 7000;

/** The serialised notice; a RangeError (a bug: notices name things, they do not carry them) past the limit. */
export function encodeNotice(topic: string, body: unknown): string {
  const text = JSON.stringify(body ?? null);
  if (Buffer.byteLength(text) > MAX_NOTICE_BYTES)
    throw new RangeError(
      `a "${topic}" notice of ${Buffer.byteLength(text)} bytes exceeds ${MAX_NOTICE_BYTES}`,
    );
  return text;
}

/**
 * The subscriber side both adapters share: listeners by topic, gap listeners, and the work they
 * started, which {@link Deliveries.settle} waits for.
 */
export class Deliveries {
  private readonly topics = new Map<string, Set<ChangeListener>>();
  private readonly gaps = new Set<() => void | Promise<void>>();
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly onError: (error: unknown) => void) {}

  subscribe(topic: string, listener: ChangeListener): () => void {
    let set = this.topics.get(topic);
    if (set === undefined) {
      set = new Set();
      this.topics.set(topic, set);
    }
    const listeners = set;
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  onGap(listener: () => void | Promise<void>): () => void {
    this.gaps.add(listener);
    return () => this.gaps.delete(listener);
  }

  deliver(topic: string, text: string, fromSelf: boolean): void {
    const listeners = this.topics.get(topic);
    if (listeners === undefined) return;
    for (const listener of listeners) this.run(() => listener(JSON.parse(text) as unknown, fromSelf));
  }

  /**
   * Runs the gap listeners. `awaited` false (a periodic poll, not a known loss): {@link settle} does
   * not wait for them, so requests are not held by a routine re-read.
   */
  gap(awaited = true): void {
    for (const listener of this.gaps) this.run(listener, awaited);
  }

  /** Resolves when every listener's work started so far (and any it started meanwhile) has finished. */
  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  private run(work: () => void | Promise<void>, awaited = true): void {
    try {
      const result = work();
      if (result instanceof Promise) {
        const tracked: Promise<void> = result.catch(this.onError).finally(() => this.pending.delete(tracked));
        if (awaited) this.pending.add(tracked);
      }
    } catch (error) {
      this.onError(error);
    }
  }
}

const scopes = new Map<string, Set<Deliveries>>();

/**
 * A change bus within one process: instances opened with the same `scope` (a store's location) hear
 * each other. The embedded deployment is one process, so this is all it needs.
 *
 * @example
 * ```ts
 * const bus = openLocalChangeBus("data/tiktoktoe.db");
 * ```
 */
export function openLocalChangeBus(
  scope: string,
  onError: (error: unknown) => void = () => undefined,
): ChangeBus {
  let members = scopes.get(scope);
  if (members === undefined) {
    members = new Set();
    scopes.set(scope, members);
  }
  const peers = members;
  const me = new Deliveries(onError);
  peers.add(me);
  return {
    async publish(topic, body) {
      const text = encodeNotice(topic, body);
      for (const peer of peers) peer.deliver(topic, text, peer === me);
    },
    subscribe: (topic, listener) => me.subscribe(topic, listener),
    onGap: (listener) => me.onGap(listener),
    sync: () => me.settle(),
    async close() {
      peers.delete(me);
      if (peers.size === 0) scopes.delete(scope);
      await me.settle();
    },
  };
}
