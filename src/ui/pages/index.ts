import { renderAlerts } from "./alerts.js";
import { renderDeployments } from "./deployments.js";
import { renderExplanations } from "./explanations.js";
import { renderFairness } from "./fairness.js";
import { renderModel } from "./model.js";
import { renderOverview } from "./overview.js";
import { renderReports } from "./reports.js";
import { renderResources } from "./resources.js";

/**
 * The dashboard's pages. A page renders into `main` and returns its cleanup (unsubscribe, destroy
 * charts). The navigation is built from this list, so a later page (resources, fairness,
 * explanations, reports…) is one entry here and one path in src/server/dashboard.ts.
 */
export interface Route {
  readonly path: string;
  readonly name: string;
  /** Where the navigation links (pages without a link are reached from others). */
  readonly nav?: string;
  title(params: Record<string, string>): string;
  render(main: HTMLElement, params: Record<string, string>, query: URLSearchParams): Promise<() => void>;
}

export const pages: readonly Route[] = [
  { path: "/", name: "overview", nav: "/", title: () => "Overview", render: renderOverview },
  { path: "/models/{model}", name: "model", title: (p) => `Model ${p.model ?? ""}`, render: renderModel },
  { path: "/alerts", name: "alerts", nav: "/alerts", title: () => "Alerts", render: renderAlerts },
  { path: "/fairness", name: "fairness", nav: "/fairness", title: () => "Fairness", render: renderFairness },
  { path: "/reports", name: "reports", nav: "/reports", title: () => "Reports", render: renderReports },
  {
    path: "/resources",
    name: "resources",
    nav: "/resources",
    title: () => "Resources",
    render: renderResources,
  },
  {
    path: "/explanations",
    name: "explanations",
    nav: "/explanations",
    title: () => "Explanations",
    render: renderExplanations,
  },
  {
    path: "/deployments",
    name: "deployments",
    nav: "/deployments",
    title: () => "Deployments",
    render: renderDeployments,
  },
];
