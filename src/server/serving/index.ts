/** Serving and deployment in the server (issue #14): see deployments.ts. */
export {
  type Actor,
  DeploymentService,
  type DeploymentServiceOptions,
} from "./deployments.js";
export { observeArms, SHADOW_SUFFIX } from "./observations.js";
export { actorOf, type DeploymentRouteDeps, deploymentRoutes } from "./routes.js";
export { type PredictRows, predictRows, type RowOutput, readOutputs } from "./rows.js";
export { type LoadedVersion, ServingSessions, servingProblem } from "./sessions.js";
export { Verification, type VerificationRun, verificationDefaults } from "./verification.js";
