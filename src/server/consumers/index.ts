export { AlertingConsumer, type AlertingConsumerOptions } from "./alerting-consumer.js";
export { ExplanationsConsumer } from "./explanations-consumer.js";
export { ReportsConsumer, type ReportsConsumerOptions } from "./reports-consumer.js";
export {
  type FinalWindow,
  WindowFinalFeed,
  type WindowFinalHandler,
  type WindowFinalStore,
} from "./window-final-feed.js";
