import { randomUUID } from "node:crypto";
import type { JetStreamClient, JetStreamManager } from "@nats-io/jetstream";
import type { Msg, MsgHdrs, headers as MsgHeadersFactory, NatsConnection } from "@nats-io/transport-node";
import { TikTokToeError } from "../../errors/index.js";
import {
  checkHeader,
  type IngestQueue,
  type PublishResult,
  type QueueBatch,
  type QueueConsumer,
  type QueueMessage,
} from "../port.js";

/** The NATS message header that carries a batch's {@link QueueBatch.header}. */
const HEADER = "TikTokToe-Batch";

/** Options of {@link openJetStreamQueue}. */
export interface JetStreamQueueOptions {
  /** `nats://host:4222`, or several separated by commas (a cluster). */
  readonly url: string;
  /**
   * The deployment's name: its stream is `TIKTOKTOE_<deployment>` on subject
   * `tiktoktoe.<deployment>.ingest`, so deployments sharing a NATS server do not mix.
   */
  readonly deployment: string;
  /** How long a delivered batch may stay unacknowledged before JetStream delivers it again (30 s). */
  readonly ackWaitMs?: number;
  /** JetStream's duplicate window: a batch id published again within it is dropped (2 min). */
  readonly duplicateWindowMs?: number;
  /** How long a publish waits for JetStream's acknowledgement before QUEUE_UNAVAILABLE (5 s). */
  readonly publishTimeoutMs?: number;
  /** How long the stream keeps batches whatever their consumers did: the replay horizon (7 days). */
  readonly maxAgeMs?: number;
  /** Stream size limit in bytes; -1 for none (the default). At the limit a publish fails (discard new). */
  readonly maxBytes?: number;
}

const DEPLOYMENT = /^[A-Za-z0-9_-]{1,64}$/;
const NANOS = 1_000_000;

/**
 * Opens the NATS JetStream ingest log of a deployment: creates (or updates) its stream, file storage,
 * limits retention (batches stay for `maxAgeMs`, so a new durable or a replay can read them), discard
 * new at `maxBytes` (a full stream refuses, it never drops what was acknowledged). An unreachable
 * server fails with QUEUE_UNAVAILABLE; once opened the connection reconnects by itself, and a publish
 * during an outage fails with QUEUE_UNAVAILABLE after `publishTimeoutMs`.
 *
 * @example
 * ```ts
 * const queue = await openJetStreamQueue({ url: "nats://127.0.0.1:4222", deployment: "prod" });
 * ```
 */
export async function openJetStreamQueue(options: JetStreamQueueOptions): Promise<IngestQueue> {
  if (!DEPLOYMENT.test(options.deployment))
    throw new TikTokToeError(
      "USAGE",
      `deployment "${options.deployment}" must be letters, digits, '_' or '-'`,
      {
        path: "--queue",
      },
    );
  const { connect, headers } = await import("@nats-io/transport-node");
  const {
    jetstream,
    jetstreamManager,
    AckPolicy,
    DeliverPolicy,
    DiscardPolicy,
    RetentionPolicy,
    StorageType,
  } = await import("@nats-io/jetstream");
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers: options.url.split(",").map((s) => s.trim().replace(/^nats:\/\//, "")),
      name: "tiktoktoe",
      reconnect: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
      timeout: 5_000,
    });
  } catch (error) {
    throw unavailable(`cannot connect to NATS at ${options.url}`, error);
  }
  try {
    const jsm = await jetstreamManager(nc);
    const stream = `TIKTOKTOE_${options.deployment}`;
    const subject = `tiktoktoe.${options.deployment}.ingest`;
    const config = {
      name: stream,
      subjects: [subject],
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      discard: DiscardPolicy.New,
      max_age: (options.maxAgeMs ?? 7 * 86_400_000) * NANOS,
      max_bytes: options.maxBytes ?? -1,
      duplicate_window: (options.duplicateWindowMs ?? 120_000) * NANOS,
    };
    try {
      await jsm.streams.info(stream);
      await jsm.streams.update(stream, config);
    } catch (error) {
      if (!isNotFound(error)) throw error;
      // Two replicas may create it at once: the second add, with the same config, succeeds too.
      await jsm.streams.add(config);
    }
    return new JetStreamQueue(nc, jetstream(nc), jsm, stream, subject, options, headers, {
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
    });
  } catch (error) {
    await nc.close().catch(() => undefined);
    throw unavailable(`cannot set up the JetStream stream of deployment "${options.deployment}"`, error);
  }
}

class JetStreamQueue implements IngestQueue {
  readonly kind = "jetstream";

  constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly stream: string,
    private readonly subject: string,
    private readonly options: JetStreamQueueOptions,
    private readonly newHeaders: typeof MsgHeadersFactory,
    private readonly policies: { ack_policy: string; deliver_policy: string },
  ) {}

  async publish(batch: QueueBatch): Promise<PublishResult> {
    checkHeader(batch.header);
    let headers: MsgHdrs | undefined;
    if (batch.header !== undefined) {
      headers = this.newHeaders();
      headers.set(HEADER, batch.header);
    }
    try {
      const ack = await this.js.publish(this.subject, batch.payload, {
        msgID: batch.id,
        timeout: this.options.publishTimeoutMs ?? 5_000,
        ...(headers === undefined ? {} : { headers }),
      });
      return { sequence: ack.seq, duplicate: ack.duplicate };
    } catch (error) {
      throw unavailable(`JetStream did not acknowledge batch ${batch.id}`, error);
    }
  }

  async consumer(name: string): Promise<QueueConsumer> {
    try {
      // Creating an existing durable with the same configuration is a no-op, so every replica may.
      await this.jsm.consumers.add(this.stream, {
        durable_name: name,
        ack_policy: this.policies.ack_policy,
        deliver_policy: this.policies.deliver_policy,
        ack_wait: (this.options.ackWaitMs ?? 30_000) * NANOS,
        max_ack_pending: 10_000,
      } as Parameters<JetStreamManager["consumers"]["add"]>[1]);
    } catch (error) {
      throw unavailable(`cannot create the durable consumer "${name}"`, error);
    }
    return new JetStreamConsumer(this.nc, this.stream, name);
  }

  async close(): Promise<void> {
    await this.nc.drain().catch(() => this.nc.close());
  }
}

/**
 * Pulls with JetStream's own request (`$JS.API.CONSUMER.MSG.NEXT`): a first request that waits up
 * to `waitMs` for one batch, then one with `no_wait` for the rest that are there now, so a fetch
 * returns as soon as something came instead of waiting out its expiry (the client library's `fetch`
 * waits until `max` or the expiry).
 */
class JetStreamConsumer implements QueueConsumer {
  private closed = false;

  constructor(
    private readonly nc: NatsConnection,
    private readonly stream: string,
    private readonly name: string,
  ) {}

  async fetch(max: number, waitMs: number): Promise<QueueMessage[]> {
    if (this.closed || max < 1) return [];
    try {
      const first = await this.pull({ batch: 1, expires: Math.max(1, waitMs) * NANOS }, 1, waitMs + 2_000);
      if (first.length === 0 || max === 1) return first;
      return first.concat(await this.pull({ batch: max - 1, no_wait: true }, max - 1, 5_000));
    } catch (error) {
      throw unavailable(`cannot fetch from the durable consumer "${this.name}"`, error);
    }
  }

  private async pull(request: object, max: number, timeoutMs: number): Promise<QueueMessage[]> {
    const inbox = `_INBOX.${randomUUID().replaceAll("-", "")}`;
    const sub = this.nc.subscribe(inbox, { max: max + 1, timeout: timeoutMs });
    this.nc.publish(`$JS.API.CONSUMER.MSG.NEXT.${this.stream}.${this.name}`, JSON.stringify(request), {
      reply: inbox,
    });
    const out: QueueMessage[] = [];
    try {
      for await (const msg of sub) {
        const code = msg.headers?.code ?? 0;
        // 404 no messages, 408 request expired, 409 e.g. the consumer was deleted: the pull is over.
        if (code >= 400 || (code > 0 && msg.data.length === 0)) break;
        out.push(this.message(msg));
        if (out.length >= max) break;
      }
    } catch (error) {
      // A subscription timeout with nothing delivered means an empty pull, not an outage.
      const timedOut =
        (error as Error).name === "TimeoutError" || (error as { code?: string }).code === "TIMEOUT";
      if (!timedOut || out.length > 0) throw error;
    } finally {
      sub.unsubscribe();
    }
    return out;
  }

  private message(msg: Msg): QueueMessage {
    const reply = msg.reply ?? "";
    const { deliveries, sequence } = parseAckSubject(reply);
    const nc = this.nc;
    return {
      id: msg.headers?.get("Nats-Msg-Id") ?? "",
      sequence,
      payload: msg.data,
      header: msg.headers?.has(HEADER) === true ? msg.headers.get(HEADER) : undefined,
      deliveries,
      async ack() {
        // A double ack: resolves once the server recorded it, so a crash afterwards cannot redeliver.
        await nc.request(reply, "+ACK", { timeout: 5_000 });
      },
      async nak(delayMs = 0) {
        // JetStream's delayed nak takes nanoseconds.
        nc.publish(
          reply,
          delayMs > 0 ? `-NAK ${JSON.stringify({ delay: Math.round(delayMs) * NANOS })}` : "-NAK",
        );
        await nc.flush();
      },
    };
  }

  async close(): Promise<void> {
    // Nothing to tear down on the server: unacknowledged batches are redelivered after the ack wait.
    this.closed = true;
  }
}

/**
 * The delivery count and stream sequence from a JetStream ack subject:
 * `$JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.<consumer seq>.<time>.<pending>` (servers
 * before 2.10), or with `<domain>.<account hash>` after `$JS.ACK` and a random token at the end.
 *
 * @example
 * ```ts
 * parseAckSubject("$JS.ACK.S.c.2.17.30.1700000000000000000.0"); // { deliveries: 2, sequence: 17 }
 * ```
 */
export function parseAckSubject(subject: string): { deliveries: number; sequence: number } {
  const tokens = subject.split(".");
  const at = tokens.length === 9 ? 4 : 6;
  return { deliveries: Number(tokens[at]), sequence: Number(tokens[at + 1]) };
}

function isNotFound(error: unknown): boolean {
  const text = error instanceof Error ? error.message : String(error);
  return /not found/i.test(text) || (error as { code?: unknown })?.code === 10059;
}

function unavailable(message: string, error: unknown): TikTokToeError {
  const reason = error instanceof Error ? error.message : String(error);
  return new TikTokToeError("QUEUE_UNAVAILABLE", `${message} (${reason}); nothing was acknowledged`, {
    cause: error,
    hint: "retry shortly; check that nats-server runs with JetStream (-js)",
    retryAfterS: 2,
  });
}
