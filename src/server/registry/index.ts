export {
  clockCheckpoint,
  ModelRegistry,
  type ModelRegistryOptions,
  type ModelRuntime,
} from "./model-registry.js";
