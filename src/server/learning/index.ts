/** The server's continuous-learning loop (issue #15): see learning-loop.ts. */
export {
  LEARNING_JOB,
  LearningLoop,
  type LearningLoopOptions,
  learningCheckpoint,
} from "./learning-loop.js";
export { type LearningRouteDeps, learningRoutes } from "./routes.js";
export {
  type CandidateTrainer,
  type FineTuneOnnxMlp,
  type FineTuneResult,
  linearTrainer,
  mlpTrainer,
  type TrainedCandidate,
  type TrainingBatch,
} from "./trainer.js";
