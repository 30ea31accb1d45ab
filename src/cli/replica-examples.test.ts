import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { parse as parseYaml } from "yaml";
import { repoPath } from "../testing/paths.js";
import { main } from "./main.js";

/**
 * The replica deployment examples of docs/replicas.md stay runnable: every `tiktoktoe serve` command
 * line in the systemd units and the Kubernetes manifests is accepted by the serve command's own
 * argument parser (an option renamed or removed fails here, not in an operator's rollout).
 */

interface ManifestDoc {
  readonly kind: string;
  readonly metadata: { readonly name: string };
  readonly spec: {
    readonly replicas?: number;
    readonly template: {
      readonly spec: { readonly containers: Array<{ command: string[]; args: string[] }> };
    };
  };
}

async function serveAccepts(args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = "";
  const io = { stdout: { write: () => true }, stderr: { write: (t: string) => (stderr += t) }, env: {} };
  // --help: parse every option, then print the help instead of starting.
  const code = await main(["serve", ...args, "--help"], io);
  return { code, stderr };
}

// systemd's ${VAR} and Kubernetes' $(VAR) references, as the service manager would expand them.
const systemdRef = (name: string) => `\${${name}}`;
const sample = (text: string) =>
  text
    .replaceAll(systemdRef("TIKTOKTOE_STORE"), "postgres://u@db:5432/t?schema=prod")
    .replaceAll(systemdRef("TIKTOKTOE_QUEUE"), "nats://nats:4222?deployment=prod")
    .replaceAll("$(TIKTOKTOE_STORE)", "postgres://u@db:5432/t?schema=prod")
    .replaceAll("$(TIKTOKTOE_QUEUE)", "nats://nats:4222?deployment=prod")
    .replaceAll("%i", "1");

for (const unit of ["tiktoktoe-api@.service", "tiktoktoe-worker@.service"]) {
  test(`systemd example ${unit}: its ExecStart is a serve command line the CLI accepts`, async () => {
    const text = readFileSync(repoPath("docs", "examples", "replicas", unit), "utf8");
    const exec = /^ExecStart=((?:.*\\\n)*.*)/m.exec(text);
    assert.ok(exec, "the unit has an ExecStart");
    const words = sample(exec[1]!.replaceAll("\\\n", " ")).split(/\s+/).filter(Boolean);
    assert.equal(words[0], "/usr/bin/tiktoktoe");
    assert.equal(words[1], "serve");
    assert.ok(words.includes("--role") && words.includes("--queue") && words.includes("--store"));
    const result = await serveAccepts(words.slice(2));
    assert.equal(result.code, 0, result.stderr);
  });
}

test("Kubernetes example: both Deployments' container args are serve command lines the CLI accepts", async () => {
  const docs = readFileSync(repoPath("docs", "examples", "replicas", "kubernetes.yaml"), "utf8")
    .split(/^---$/m)
    .map((d) => parseYaml(d) as ManifestDoc);
  const deployments = docs.filter((d) => d.kind === "Deployment");
  assert.deepEqual(
    deployments.map((d) => [d.metadata.name, d.spec.replicas]),
    [
      ["tiktoktoe-api", 3],
      ["tiktoktoe-worker", 2],
    ],
  );
  for (const d of deployments) {
    const container = d.spec.template.spec.containers[0]!;
    assert.deepEqual(container.command, ["tiktoktoe"]);
    const args = container.args.map(sample);
    assert.equal(args[0], "serve");
    const result = await serveAccepts(args.slice(1));
    assert.equal(result.code, 0, `${d.metadata.name}: ${result.stderr}`);
  }
});
