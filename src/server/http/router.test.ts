import assert from "node:assert/strict";
import type { IncomingMessage, ServerResponse } from "node:http";
import { describe, test } from "node:test";
import { type MatchedRoute, Router } from "./router.js";

// The router reads only the method and URL of a request and sets one header on a 405.
const request = (method: string, url: string) => ({ method, url }) as IncomingMessage;
const response = () => ({ setHeader: () => {} }) as unknown as ServerResponse;

async function dispatch(router: Router, method: string, url: string) {
  const heard: MatchedRoute[] = [];
  let error: unknown = null;
  await router
    .handle(request(method, url), response(), (route) => heard.push(route))
    .catch((e: unknown) => {
      error = e;
    });
  return { heard, code: (error as { code?: string } | null)?.code ?? null };
}

describe("Router reports the route template a request reached", () => {
  const seen: Record<string, string>[] = [];
  const router = new Router()
    .add("GET", "/v1/models/{model}", ({ params }) => {
      seen.push({ ...params });
    })
    .add("POST", "/v1/models/{model}/versions/{version}/reference", () => {
      throw new Error("handler failed");
    })
    .add("GET", "/v1/models/{model}/{view}", () => {});

  test("the template, not the literal path; the parameters still reach the handler", async () => {
    assert.deepEqual(await dispatch(router, "GET", "/v1/models/churn%20v2?x=1"), {
      heard: [{ path: "/v1/models/{model}" }],
      code: null,
    });
    assert.deepEqual(seen.at(-1), { model: "churn v2" });
  });

  test("also when the handler throws", async () => {
    const { heard } = await dispatch(router, "POST", "/v1/models/m/versions/1/reference");
    assert.deepEqual(heard, [{ path: "/v1/models/{model}/versions/{version}/reference" }]);
  });

  test("a 405 reports the path's template; a 404 reports nothing", async () => {
    assert.deepEqual(await dispatch(router, "DELETE", "/v1/models/churn"), {
      heard: [{ path: "/v1/models/{model}" }],
      code: "METHOD_NOT_ALLOWED",
    });
    assert.deepEqual(await dispatch(router, "GET", "/no/such/path/123"), { heard: [], code: "NOT_FOUND" });
  });

  test("the route that ran, when an earlier pattern matched the path for another method", async () => {
    const shared = new Router().add("POST", "/a/{x}", () => {}).add("GET", "/a/{y}", () => {});
    assert.deepEqual((await dispatch(shared, "GET", "/a/1")).heard, [{ path: "/a/{y}" }]);
  });
});

describe("Router remembers recent query-less targets", () => {
  test("the same target again: the same route and parameters, a fresh parameters object each time", async () => {
    const seen: Record<string, string>[] = [];
    const router = new Router()
      .add("GET", "/v1/models/{model}", ({ params }) => {
        const mine = params as Record<string, string>;
        assert.equal(mine.model, "churn v2");
        seen.push(mine);
        mine.model = "changed by the handler";
      })
      .add("POST", "/v1/models/{model}/predict", () => {});
    for (let i = 0; i < 3; i++)
      assert.deepEqual(await dispatch(router, "GET", "/v1/models/churn%20v2"), {
        heard: [{ path: "/v1/models/{model}" }],
        code: null,
      });
    assert.equal(seen.length, 3);
    // What each handler did to its parameters did not reach the later requests (asserted inside).
    assert.equal(new Set(seen).size, 3);
    // Another method on a remembered target is still a 405, not the remembered route.
    assert.equal((await dispatch(router, "DELETE", "/v1/models/churn%20v2")).code, "METHOD_NOT_ALLOWED");
    assert.deepEqual((await dispatch(router, "POST", "/v1/models/churn%20v2/predict")).heard, [
      { path: "/v1/models/{model}/predict" },
    ]);
  });

  test("a route added later is found for a target answered before it existed", async () => {
    const router = new Router().add("GET", "/a/{x}", () => {});
    assert.equal((await dispatch(router, "GET", "/b/1")).code, "NOT_FOUND");
    assert.equal((await dispatch(router, "GET", "/a/1")).code, null);
    router.add("GET", "/b/{y}", () => {});
    assert.deepEqual(await dispatch(router, "GET", "/b/1"), { heard: [{ path: "/b/{y}" }], code: null });
  });
});
