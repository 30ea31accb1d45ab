// Regenerates docs/examples/: one document of each kind, in Markdown and in HTML, from the demo.
// - model card and health report: the bike demo (`tiktoktoe demo`: 2011 as the reference, 2012
//   replayed), fetched from the server's own routes;
// - optimization report: `tiktoktoe optimize` on the digits MLP (quantize and structured pruning,
//   3 folds), deployed with --deploy to a "digits" model registered on the same server;
// - learning update report: docs/examples/learning-update.json, an illustrative update (the learning
//   system, src/learn, is being built; its updates will have this shape).
// Run after `npm run build`: node tools/make-report-examples.mjs   (about two minutes)
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";

const root = join(import.meta.dirname, "..");
const out = join(root, "docs", "examples");
mkdirSync(out, { recursive: true });
process.chdir(root);
const { runBikeDemo } = await import(join(root, "dist/demo/bike-replay.js"));
const { main } = await import(join(root, "dist/cli/main.js"));
const report = await import(join(root, "dist/report/index.js"));

const quiet = { stdout: { write: () => true }, stderr: { write: (t) => process.stderr.write(t) }, env: {} };
const write = (name, text) => {
  // `optimize --deploy` records the report's absolute path: shown relative to the repository here.
  writeFileSync(join(out, name), text.replaceAll(`${root}/`, ""));
  console.log(`wrote ${relative(root, join(out, name))}`);
};

console.log("replaying the bike demo…");
const { server } = await runBikeDemo({
  port: 0,
  weeksPerSecond: 1000,
  follow: false,
  flushIntervalMs: 1000,
  print: () => {},
});
try {
  const get = async (path) => {
    const response = await fetch(`${server.url}${path}`);
    if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
    return response.text();
  };
  for (const format of ["markdown", "html"]) {
    const ext = format === "html" ? "html" : "md";
    write(`model-card.${ext}`, await get(`/v1/models/bike/versions/2011/card?format=${format}`));
    // The last four weeks of 2012 (the demo stores one report per hour of event time it flushes at).
    write(
      `health-report.${ext}`,
      await get(
        `/v1/models/bike/health-report?from=2012-12-01T00:00:00Z&to=2013-01-15T00:00:00Z&format=${format}`,
      ),
    );
  }

  // The digits model on the same server, so that --deploy registers the chosen candidate there.
  const header = readFileSync(join(root, "data", "digits", "digits.csv"), "utf8")
    .split("\n")[0]
    .trim()
    .split(",");
  const response = await fetch(`${server.url}/v1/models`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      name: "digits",
      task: "multiclass",
      features: header.filter((c) => c !== "target").map((name) => ({ name, type: "numeric" })),
      classes: [..."0123456789"],
    }),
  });
  if (!response.ok) throw new Error(`register digits: ${await response.text()}`);
  console.log("optimizing the digits MLP…");
  const dir = ".tmp/report-examples";
  mkdirSync(dir, { recursive: true });
  const code = await main(
    [
      "optimize",
      "models/digits_mlp.onnx",
      "--data",
      "data/digits/digits.csv",
      "--label",
      "target",
      "--input-scale",
      "0.0625",
      "--techniques",
      "quantize,prune-structured",
      "--folds",
      "3",
      "--max-drop",
      "0.02",
      "--out",
      dir,
      "--format",
      "json",
      "--quiet",
      "--deploy",
      "digits",
      "--server",
      server.url,
    ],
    quiet,
  );
  if (code !== 0 && code !== 1) throw new Error(`optimize exited ${code}`);
  const file = `${dir}/report.json`;
  const run = JSON.parse(readFileSync(file, "utf8"));
  const versions = JSON.parse(await get("/v1/models/digits/versions")).versions;
  const deployed = versions.find(
    (v) => typeof v.meta.report === "string" && v.meta.report.endsWith("report.json"),
  );
  const optimization = report.buildOptimizationDoc(
    {
      report: run,
      source: { ref: `file: ${file}` },
      ...(deployed === undefined
        ? {}
        : { deployed: { model: "digits", version: deployed.version, timeMs: deployed.createdMs } }),
    },
    Date.now(),
  );
  write("optimization-report.md", report.renderDocumentMarkdown(optimization));
  write("optimization-report.html", report.renderDocumentHtml(optimization));
  if (deployed !== undefined) {
    write("optimized-version-card.md", await get(`/v1/models/digits/versions/${deployed.version}/card`));
  }
} finally {
  await server.close();
}

const update = JSON.parse(readFileSync(join(out, "learning-update.json"), "utf8"));
const learning = report.buildLearningDoc(
  { update, source: { ref: "file: docs/examples/learning-update.json" } },
  Date.now(),
);
write("learning-report.md", report.renderDocumentMarkdown(learning));
write("learning-report.html", report.renderDocumentHtml(learning));
