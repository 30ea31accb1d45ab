import { randomBytes } from "node:crypto";
import { test } from "node:test";
import { serviceMissing, TEST_NATS_URL } from "../../testing/services.js";
import { queueConformance } from "../conformance.js";
import { openJetStreamQueue } from "./jetstream-queue.js";

const natsMissing = await serviceMissing("NATS with JetStream", TEST_NATS_URL, "nats-server");

if (natsMissing !== false) test("queue conformance: jetstream", { skip: natsMissing }, () => undefined);
else
  queueConformance({
    name: "jetstream",
    // A stream per test (the deployment name), deleted after it.
    newLocation: () => `test_${randomBytes(5).toString("hex")}`,
    open: (deployment, options) => openJetStreamQueue({ url: TEST_NATS_URL, deployment, ...options }),
    // Port 1: nothing listens there.
    publishUnreachable: async (deployment) => {
      const queue = await openJetStreamQueue({ url: "nats://127.0.0.1:1", deployment });
      try {
        return await queue.publish({ id: "x", payload: Uint8Array.of(1) });
      } finally {
        await queue.close();
      }
    },
    cleanup: async (deployment) => {
      const { connect } = await import("@nats-io/transport-node");
      const { jetstreamManager } = await import("@nats-io/jetstream");
      const nc = await connect({ servers: TEST_NATS_URL.replace(/^nats:\/\//, "") });
      try {
        await (await jetstreamManager(nc)).streams.delete(`TIKTOKTOE_${deployment}`).catch(() => false);
      } finally {
        await nc.close();
      }
    },
  });
