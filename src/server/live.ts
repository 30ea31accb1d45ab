import type { IncomingMessage, ServerResponse } from "node:http";
import { TikTokToeError } from "../errors/index.js";
import type { ChangeBus } from "../store/index.js";

/** One announced change, numbered for `Last-Event-ID`. */
interface LiveEvent {
  readonly id: number;
  readonly type: string;
  readonly data: string;
}

/** Options of {@link LiveHub}. */
export interface LiveHubOptions {
  /** Events kept for clients that reconnect. Default 2,000. */
  readonly backlog?: number;
  /** Interval of the keep-alive comment, in ms. Default 15,000 (proxies close idle streams at 30–60 s). */
  readonly heartbeatMs?: number;
  /** Streams open at once; more are refused with 503. Default 256. */
  readonly maxClients?: number;
  /**
   * Bytes an unread stream may have waiting in the process before it is dropped. Default 1 MiB: a tab
   * that stopped reading reconnects and resumes from `Last-Event-ID` (or reloads), while without a
   * bound every client that never reads would hold all events ever published.
   */
  readonly maxBufferedBytes?: number;
}

/**
 * The dashboard's server-sent events: one stream per browser tab. Every event has an increasing id;
 * a client that reconnects (EventSource does it by itself) sends `Last-Event-ID` and receives what it
 * missed from a bounded backlog, or a `reset` event when the gap is older than the backlog, after which
 * it reloads its data. Ids carry the hub's start time so ids of a restarted server never look
 * like the old one's.
 *
 * @example
 * ```ts
 * const hub = new LiveHub();
 * service.onChange((change) => hub.publish(change.type, change));
 * router.add("GET", "/v1/stream", ({ request, response }) => hub.attach(request, response));
 * ```
 */
export class LiveHub {
  private readonly events: LiveEvent[] = [];
  private readonly clients = new Set<ServerResponse>();
  private next = 1;
  private readonly epoch = Date.now().toString(36);
  private readonly backlog: number;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly maxClients: number;
  private readonly maxBuffered: number;
  private dropped = 0;

  constructor(options: LiveHubOptions = {}) {
    this.backlog = options.backlog ?? 2000;
    this.maxClients = options.maxClients ?? 256;
    this.maxBuffered = options.maxBufferedBytes ?? 2 ** 20;
    this.heartbeat = setInterval(() => {
      for (const client of this.clients) this.send(client, ": keep-alive\n\n");
    }, options.heartbeatMs ?? 15_000);
    this.heartbeat.unref();
  }

  /** Connected streams (for /metrics and tests). */
  get connections(): number {
    return this.clients.size;
  }

  /** Streams dropped because their client did not read (for /metrics and tests). */
  get droppedSlow(): number {
    return this.dropped;
  }

  /** Sends an event to every connected stream and keeps it for reconnecting ones. */
  publish(type: string, payload: unknown): void {
    const event: LiveEvent = { id: this.next++, type, data: JSON.stringify(payload) };
    this.events.push(event);
    if (this.events.length > this.backlog) this.events.splice(0, this.events.length - this.backlog);
    const text = this.format(event);
    for (const client of this.clients) this.send(client, text);
  }

  /** Writes to one stream, dropping it when its client has stopped reading. */
  private send(client: ServerResponse, text: string): void {
    if (client.writableLength > this.maxBuffered) {
      this.dropped++;
      this.clients.delete(client);
      client.destroy();
      return;
    }
    client.write(text);
  }

  /** Turns a request into an event stream, first replaying what a reconnecting client missed. */
  attach(request: IncomingMessage, response: ServerResponse): void {
    if (this.clients.size >= this.maxClients)
      throw new TikTokToeError("SERVER_BUSY", `${this.maxClients} live streams are already open`, {
        hint: "close other dashboard tabs, or retry shortly",
        retryAfterS: 5,
      });
    response.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      connection: "keep-alive",
      // Tells nginx-like proxies not to buffer the stream.
      "x-accel-buffering": "no",
    });
    // Reconnect after 2 s (EventSource's default is 3 s) and say hello so the client knows it is live.
    response.write(`retry: 2000\n\n`);
    const last = parseId(request.headers["last-event-id"], this.epoch);
    if (last === "foreign") response.write(this.format({ id: this.next - 1, type: "reset", data: "{}" }));
    else if (last !== null) {
      const oldest = this.events[0]?.id ?? this.next;
      if (last + 1 < oldest) response.write(this.format({ id: this.next - 1, type: "reset", data: "{}" }));
      else for (const event of this.events) if (event.id > last) response.write(this.format(event));
    }
    response.write(`event: hello\ndata: ${JSON.stringify({ id: this.next - 1 })}\n\n`);
    this.clients.add(response);
    const drop = () => this.clients.delete(response);
    request.on("close", drop);
    response.on("error", drop);
  }

  /** Ends every stream (at shutdown, so the server can close). */
  close(): void {
    clearInterval(this.heartbeat);
    for (const client of this.clients) client.end();
    this.clients.clear();
  }

  private format(event: LiveEvent): string {
    return `id: ${this.epoch}-${event.id}\nevent: ${event.type}\ndata: ${event.data}\n\n`;
  }
}

/** The number of a `Last-Event-ID` of this hub, "foreign" for another hub's (a restarted server), or null. */
function parseId(header: string | string[] | undefined, epoch: string): number | "foreign" | null {
  if (typeof header !== "string" || header === "") return null;
  const match = /^([0-9a-z]+)-(\d+)$/.exec(header);
  if (match === null || match[1] !== epoch) return "foreign";
  return Number(match[2]);
}

/** The bus topic of the dashboard's live changes. */
const LIVE_TOPIC = "live";

/**
 * Feeds a hub with the changes of every replica: each change this process announces goes out on the
 * bus, and every change heard on it (this process's too, delivered before the publish returns) goes to
 * the hub's streams, so a dashboard connected to any replica sees what any replica wrote. Event ids
 * stay per hub: a browser that reconnects to another replica gets `reset` and reloads. A change that
 * cannot be sent to the others (the bus is down) still reaches this process's streams. Returns the
 * function that stops it.
 *
 * @example
 * ```ts
 * const stop = relayChanges((listener) => service.onChange(listener), bus, hub, log);
 * ```
 */
export function relayChanges<C extends { readonly type: string }>(
  source: (listener: (change: C) => void) => () => void,
  bus: ChangeBus,
  hub: LiveHub,
  log: (error: unknown) => void,
): () => void {
  const stopHearing = bus.subscribe(LIVE_TOPIC, (body) => {
    const change = body as C;
    hub.publish(change.type, change);
  });
  const stopSending = source((change) => {
    bus.publish(LIVE_TOPIC, change).catch(log);
  });
  return () => {
    stopSending();
    stopHearing();
  };
}
