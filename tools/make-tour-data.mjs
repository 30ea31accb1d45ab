// Writes the README tour's example files into examples/: a churn model's schema, a reference of
// 1,000 customers and 300 newer ones with their labels. Synthetic and seeded (the same files every
// run): newer customers have shorter tenure and higher charges (drift), and churn now depends more on
// charges than the model learned (its accuracy falls from ~0.8 to ~0.6).
// Run: node tools/make-tour-data.mjs
import { writeFileSync } from "node:fs";
import { join } from "node:path";

const out = join(import.meta.dirname, "..", "examples");
let seed = 20261206;
const random = () => {
  // mulberry32
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = (options) => {
  let u = random();
  for (const [value, p] of options) {
    u -= p;
    if (u < 0) return value;
  }
  return options.at(-1)[0];
};
const sigmoid = (x) => 1 / (1 + Math.exp(-x));
const round = (x, digits) => Math.round(x * 10 ** digits) / 10 ** digits;
const planEffect = { basic: 0.4, standard: 0, premium: -0.5 };
/** The deployed model's score: what it learned from the reference period. */
const modelScore = (c) => sigmoid(1.2 - 0.07 * c.tenure + 0.012 * c.monthly_charges + planEffect[c.plan]);

function customer(period) {
  const recent = period === "current";
  const tenure = recent ? 1 + Math.floor(random() ** 1.5 * 24) : 1 + Math.floor(random() * 72);
  const monthly_charges = round(recent ? 45 + random() * 80 : 20 + random() * 90, 2);
  const plan = pick([
    ["basic", 0.5],
    ["standard", 0.3],
    ["premium", 0.2],
  ]);
  const region = pick([
    ["north", 0.55],
    ["south", 0.45],
  ]);
  const c = { tenure, monthly_charges, plan, region };
  // Churn as it really happens: in the current period prices matter far more than the model knows.
  const truth = recent
    ? sigmoid(-4.2 + 0.055 * monthly_charges - 0.02 * tenure + planEffect[c.plan])
    : sigmoid(1.2 - 0.07 * tenure + 0.012 * monthly_charges + planEffect[c.plan]);
  const churned = random() < truth ? "yes" : "no";
  const score = round(modelScore(c), 4);
  return { ...c, score, prediction: score >= 0.5 ? "yes" : "no", target: churned };
}

const model = {
  name: "churn",
  task: "binary",
  classes: ["no", "yes"],
  features: [
    { name: "tenure", type: "numeric" },
    { name: "monthly_charges", type: "numeric" },
    { name: "plan", type: "categorical" },
    { name: "region", type: "categorical", role: "sensitive" },
  ],
};
writeFileSync(join(out, "churn-model.json"), `${JSON.stringify(model, null, 2)}\n`);

const reference = Array.from({ length: 1000 }, () => customer("reference"));
writeFileSync(
  join(out, "churn-reference.csv"),
  [
    "tenure,monthly_charges,plan,region,prediction,score,target",
    ...reference.map((c) =>
      [c.tenure, c.monthly_charges, c.plan, c.region, c.prediction, c.score, c.target].join(","),
    ),
  ].join("\n") + "\n",
);

const current = Array.from({ length: 300 }, () => customer("current"));
writeFileSync(
  join(out, "churn-events.ndjson"),
  current
    .map((c, i) =>
      JSON.stringify({
        id: `c${i + 1}`,
        version: "1",
        features: { tenure: c.tenure, monthly_charges: c.monthly_charges, plan: c.plan, region: c.region },
        prediction: c.prediction,
        scores: c.score,
        latency_ms: round(2 + random() * 10, 2),
      }),
    )
    .join("\n") + "\n",
);
writeFileSync(
  join(out, "churn-labels.ndjson"),
  current.map((c, i) => JSON.stringify({ id: `c${i + 1}`, value: c.target })).join("\n") + "\n",
);

const accuracy = (rows) => rows.filter((c) => c.prediction === c.target).length / rows.length;
console.log(
  `reference accuracy ${accuracy(reference).toFixed(3)}, current accuracy ${accuracy(current).toFixed(3)}`,
);
