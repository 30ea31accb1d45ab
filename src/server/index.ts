export { type AppOptions, createApp } from "./app.js";
export { parseTokens, type Scope, scopes, TokenAuth } from "./auth.js";
export { LoginSessions, type LoginSessionsOptions } from "./login-sessions.js";
export {
  type IngestResult,
  MonitorService,
  type MonitorServiceOptions,
  type WindowSummary,
} from "./monitor-service.js";
export { openapi } from "./openapi.js";
export { type RunningServer, type StartServerOptions, startServer } from "./start.js";
