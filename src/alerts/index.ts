export {
  type AlertStatus,
  Dispatcher,
  type DispatcherOptions,
  type GroupStatus,
  type Notification,
  type NotificationAlert,
  type ReceiverOptions,
} from "./dispatcher.js";
export { fingerprint, groupKey } from "./fingerprint.js";
export {
  buildInhibitRules,
  defaultInhibitRules,
  type InhibitionSource,
  type InhibitRule,
  type InhibitRuleConfig,
  type InhibitRulesResult,
  inhibitedBy,
} from "./inhibition.js";
export {
  commonLabels,
  compareNames,
  goQuote,
  isLabelName,
  type Labels,
  labelSetString,
  labelValue,
  normalizeLabels,
  openMetricsQuote,
} from "./labels.js";
export {
  type Matcher,
  type MatcherJson,
  type MatcherProblem,
  type MatcherResult,
  type MatchersResult,
  type MatchType,
  matcherFromJson,
  matcherString,
  matchersString,
  matcherToJson,
  matches,
  matchesAll,
  newMatcher,
  parseMatcher,
  parseMatchers,
  sortMatchers,
} from "./matchers.js";
export {
  DEFAULT_LOG_RETENTION_MS,
  type DedupReason,
  dedupDecision,
  type LogEntry,
  NotificationLog,
  type NotificationLogSnapshot,
} from "./notification-log.js";
export { alertSeverity, compareAlerts, type Sortable, worstFirst } from "./ordering.js";
export {
  type ResourceRuleName,
  type ResourceRuleSettings,
  resourceRuleInfo,
  resourceRuleNames,
} from "./resource-rule-info.js";
export {
  type ResourceEvaluation,
  type ResourceReading,
  type ResourceRuleInput,
  type ResourceRuleOptions,
  resourceAlertEvaluations,
  resourceAlertNames,
} from "./resource-rules.js";
export {
  type BuildRouteOptions,
  buildRoute,
  defaultRouteTimers,
  groupLabelsFor,
  matchRoutes,
  type Route,
  type RouteConfig,
  type RouteMatch,
  type RouteProblem,
  type RouteResult,
  type RouteTimers,
} from "./routing.js";
export {
  alertNames,
  defaultRuleOptions,
  mergeOutcomes,
  type NoDataInput,
  noDataConditions,
  type RuleOptions,
  type RuleOutcome,
  type WindowInfo,
  type WindowRuleInput,
  windowAlertConditions,
} from "./rules.js";
export {
  expireSilence,
  type Silence,
  type SilenceJson,
  type SilenceResult,
  type SilenceState,
  silencedBy,
  silenceFromJson,
  silenceState,
  silenceToJson,
} from "./silences.js";
export {
  type Alert,
  type AlertCondition,
  type AlertState,
  AlertStateMachine,
  type Evaluation,
  type EvaluationResult,
  type For,
  type NotifiableAlert,
  notifiable,
  type StateOptions,
  type StateSnapshot,
  type Transition,
} from "./state.js";
