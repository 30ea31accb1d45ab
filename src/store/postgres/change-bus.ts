import { createHash, randomBytes } from "node:crypto";
import { type ChangeBus, type ChangeListener, Deliveries, encodeNotice } from "../change-bus.js";
import { type PgLocation, storeError } from "./driver.js";

/** Options of {@link openPgChangeBus}. */
export interface PgChangeBusOptions extends PgLocation {
  /** Name of the listening connection in pg_stat_activity. */
  readonly applicationName?: string;
  /** Where a listener's failure is reported (a notice's work never reaches the publisher). */
  readonly onError?: (error: unknown) => void;
  /**
   * The fall-back poll: a gap is announced this often (ms), so that a notice lost without a broken
   * connection (its publisher's NOTIFY failed after the change was stored) is caught up with. Default
   * 30,000; 0 turns it off.
   */
  readonly resyncMs?: number;
}

/** The slice of a pg client the bus uses. */
interface ListenClient {
  connect(): Promise<void>;
  query(sql: string, params?: readonly unknown[]): Promise<unknown>;
  end(): Promise<void>;
  on(event: "notification", listener: (message: { channel: string; payload?: string }) => void): unknown;
  on(event: "error" | "end", listener: (error?: Error) => void): unknown;
}

/**
 * A change bus on PostgreSQL's LISTEN/NOTIFY: one connection of its own per instance (a pooled
 * connection would stop listening when it goes back to the pool), one channel per schema, so
 * deployments sharing a database do not hear each other. NOTIFY is transactional and delivered to every
 * listening session in commit order; a notice is not stored, so a replica whose connection drops
 * misses what is sent meanwhile: it reconnects (backing off up to 5 s) and announces a gap, and its
 * subscribers re-read the store.
 *
 * {@link ChangeBus.sync} is one `SELECT 1` on the listening connection. PostgreSQL signals listening
 * sessions before the notifying commit returns, and a session sends what it was signalled before it
 * answers its next query, so every notice committed before the round trip started has been received
 * (pg emits it before the query's result) when it ends. Concurrent calls share round trips.
 *
 * @example
 * ```ts
 * const bus = await openPgChangeBus(parsePostgresUrl("postgres://root@127.0.0.1/test?schema=tt"));
 * await bus.publish("registry", { model: "bike" });
 * ```
 */
export async function openPgChangeBus(options: PgChangeBusOptions): Promise<ChangeBus> {
  const pg = (await import("pg")).default;
  const open = async (): Promise<ListenClient> => {
    const client = new pg.Client({
      connectionString: options.url,
      application_name: options.applicationName ?? "tiktoktoe-changes",
      connectionTimeoutMillis: 10_000,
      keepAlive: true,
    }) as unknown as ListenClient;
    // Until the bus takes it over, an error must not be an unhandled 'error' event.
    client.on("error", () => undefined);
    await client.connect();
    return client;
  };
  // Channel names are identifiers of at most 63 bytes; a hash keeps long schema names apart.
  const channel = `tiktoktoe_${createHash("sha256").update(options.schema).digest("hex").slice(0, 24)}`;
  const bus = new PgChangeBus(open, channel, options.onError ?? (() => undefined));
  try {
    await bus.connect();
  } catch (error) {
    throw storeError(error);
  }
  bus.startPoll(options.resyncMs ?? 30_000);
  return bus;
}

/** The longest {@link ChangeBus.sync} waits for its round trip before answering from what it has. */
const SYNC_WAIT_MS = 2_000;

class PgChangeBus implements ChangeBus {
  private client: ListenClient | undefined;
  private closed = false;
  private retryMs = 250;
  private retryTimer: NodeJS.Timeout | undefined;
  private poll: NodeJS.Timeout | undefined;
  /** Tells this instance's own notices apart: it delivered them to itself when publishing. */
  private readonly origin = randomBytes(9).toString("base64url");
  private readonly deliveries: Deliveries;
  private inFlight: Promise<void> | undefined;
  private queued: Promise<void> | undefined;

  constructor(
    private readonly open: () => Promise<ListenClient>,
    private readonly channel: string,
    onError: (error: unknown) => void,
  ) {
    this.deliveries = new Deliveries(onError);
  }

  async connect(): Promise<void> {
    const client = await this.open();
    const lost = () => {
      if (this.client !== client) return;
      this.client = undefined;
      client.end().catch(() => undefined);
      this.reconnectLater();
    };
    client.on("notification", (message) => this.receive(message));
    client.on("error", lost);
    client.on("end", lost);
    try {
      await client.query(`LISTEN "${this.channel}"`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.retryMs = 250;
  }

  startPoll(everyMs: number): void {
    if (everyMs <= 0) return;
    // Not awaited by sync: a routine re-read must not hold every request while it runs.
    this.poll = setInterval(() => this.deliveries.gap(false), everyMs);
    this.poll.unref();
  }

  private reconnectLater(): void {
    if (this.closed || this.retryTimer !== undefined) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.connect().then(
        // Back: whatever was sent while it was away is lost, so the subscribers re-read the store.
        () => this.deliveries.gap(),
        () => {
          this.retryMs = Math.min(5_000, this.retryMs * 2);
          this.reconnectLater();
        },
      );
    }, this.retryMs);
    this.retryTimer.unref();
  }

  private receive(message: { channel: string; payload?: string }): void {
    if (message.channel !== this.channel || message.payload === undefined) return;
    const text = message.payload;
    const first = text.indexOf("\n");
    const second = text.indexOf("\n", first + 1);
    if (first < 0 || second < 0) return;
    if (text.slice(0, first) === this.origin) return;
    this.deliveries.deliver(text.slice(first + 1, second), text.slice(second + 1), false);
  }

  async publish(topic: string, body: unknown): Promise<void> {
    const text = encodeNotice(topic, body);
    if (topic.includes("\n")) throw new RangeError("a topic is one line");
    this.deliveries.deliver(topic, text, true);
    const client = this.client;
    if (client === undefined)
      throw storeError(Object.assign(new Error("the change notices' connection is down"), { code: "08006" }));
    try {
      await client.query("SELECT pg_notify($1, $2)", [this.channel, `${this.origin}\n${topic}\n${text}`]);
    } catch (error) {
      throw storeError(error);
    }
  }

  subscribe(topic: string, listener: ChangeListener): () => void {
    return this.deliveries.subscribe(topic, listener);
  }

  onGap(listener: () => void | Promise<void>): () => void {
    return this.deliveries.onGap(listener);
  }

  async sync(): Promise<void> {
    const client = this.client;
    if (client !== undefined) {
      let timer: NodeJS.Timeout | undefined;
      try {
        // A hung database must not hang every request: past the bound it goes on with what it has.
        await Promise.race([
          this.roundTrip(client),
          new Promise<void>((resolve) => {
            timer = setTimeout(resolve, SYNC_WAIT_MS);
          }),
        ]);
      } catch {
        // The connection is going: its 'error'/'end' reconnects and announces the gap.
      } finally {
        clearTimeout(timer);
      }
    }
    await this.deliveries.settle();
  }

  /** A `SELECT 1` that starts after the call: the one in flight may have been sent too early. */
  private roundTrip(client: ListenClient): Promise<void> {
    if (this.inFlight === undefined) {
      const trip = client.query("SELECT 1").then(() => undefined);
      this.inFlight = trip.finally(() => {
        if (this.inFlight === guarded) this.inFlight = undefined;
      });
      const guarded = this.inFlight;
      return guarded;
    }
    if (this.queued === undefined) {
      const after = this.inFlight.catch(() => undefined);
      this.queued = after.then(() => {
        this.queued = undefined;
        return this.roundTrip(client);
      });
    }
    return this.queued;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    if (this.poll !== undefined) clearInterval(this.poll);
    const client = this.client;
    this.client = undefined;
    if (client !== undefined) await client.end().catch(() => undefined);
    await this.deliveries.settle();
  }
}
