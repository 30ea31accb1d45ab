export {
  clockCheckpoint,
  ModelRegistry,
  type ModelRegistryOptions,
  type ModelRuntime,
} from "./model-registry.js";
export { type ModelRouteDeps, type ModelRouteService, modelRoutes } from "./routes.js";
