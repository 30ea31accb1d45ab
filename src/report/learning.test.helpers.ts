import type { LearningUpdate } from "./learning-doc.js";

/** An update as the learning system (src/learn, being built) will describe one. */
export const sampleUpdate: LearningUpdate = {
  model: "bike",
  incumbent: "2011",
  candidate: "2011-u1",
  fromMs: Date.UTC(2012, 0, 1),
  toMs: Date.UTC(2012, 1, 1),
  validation: [
    { check: "schema", passed: true, detail: "11 columns, types as registered" },
    { check: "missing share", passed: true, value: 0.002, threshold: 0.05 },
    { check: "label delay", passed: false, value: 0.31, threshold: 0.25, detail: "late labels in week 3" },
  ],
  batches: {
    accepted: 41,
    quarantined: [
      { id: "batch-2012-01-17", rows: 24, reason: "temp outside [0, 1] in 24 rows" },
      { id: "batch-2012-01-29", rows: 12, reason: "duplicate ids" },
    ],
  },
  gate: {
    tests: [
      { name: "holdout MAE", metric: "mae", candidate: 48.2, incumbent: 55.9, threshold: 0, passed: true },
      { name: "recent week MAE", metric: "mae", candidate: 61.3, incumbent: 70.4, passed: true },
      {
        name: "slice: holidays",
        metric: "mae",
        candidate: null,
        incumbent: 40.1,
        passed: false,
        detail: "too few rows",
      },
    ],
    decision: "hold",
    reason: "A slice could not be tested; a reviewer decides.",
  },
};
