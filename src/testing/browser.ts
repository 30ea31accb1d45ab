import { existsSync, mkdirSync } from "node:fs";
import { type Browser, chromium, type Page } from "playwright-core";
import { repoPath } from "./paths.js";

/** Debian's Chromium (package `chromium`), which .ci/run installs. */
export const CHROMIUM = process.env.TIKTOKTOE_CHROMIUM ?? "/usr/bin/chromium";

/** The skip reason of browser tests on a machine without Chromium, or false when it is there. */
export const chromiumMissing: string | false = existsSync(CHROMIUM)
  ? false
  : `Debian's Chromium is not installed at ${CHROMIUM} (apt-get install chromium)`;

/**
 * Starts headless Chromium through playwright-core, with the flags this closed network needs (no
 * background connections, no component updates) and no sandbox when running as root.
 *
 * @example
 * ```ts
 * const browser = await launchChromium();
 * const page = await browser.newPage();
 * ```
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      ...(process.getuid?.() === 0 ? ["--no-sandbox"] : []),
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-default-apps",
      "--disable-extensions",
    ],
  });
}

/**
 * The folder for a test's artifacts (screenshots), `test-artifacts/NAME` at the repository root, or
 * under $TIKTOKTOE_ARTIFACTS when CI collects them elsewhere.
 *
 * @example
 * ```ts
 * await page.screenshot({ path: join(artifactDir("dashboard"), "overview.png") });
 * ```
 */
export function artifactDir(name: string): string {
  const dir = process.env.TIKTOKTOE_ARTIFACTS
    ? `${process.env.TIKTOKTOE_ARTIFACTS}/${name}`
    : repoPath("test-artifacts", name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** What a dashboard page did wrong while a test drove it. */
export interface PageProblems {
  /** Requests to anything but the server (the dashboard must work with no network beyond it). */
  readonly foreign: string[];
  /** Console messages about the content security policy or an unused preload. */
  readonly policy: string[];
  /** Uncaught errors in the page. */
  readonly errors: string[];
}

/**
 * A new page of the dashboard at `origin` (1400 × 1000 unless told), watched for requests elsewhere,
 * policy violations, unused preloads and uncaught errors; `rendered(name)` waits until the router has
 * drawn that page (`data-rendered` on the root element).
 *
 * @example
 * ```ts
 * const { page, problems, rendered } = await openDashboardPage(browser, server.url);
 * await page.goto(`${server.url}/alerts`);
 * await rendered("alerts");
 * assert.deepEqual(problems.errors, []);
 * ```
 */
export async function openDashboardPage(
  browser: Browser,
  origin: string,
  options: { readonly viewport?: { width: number; height: number }; readonly timezoneId?: string } = {},
): Promise<{ page: Page; problems: PageProblems; rendered: (name: string) => Promise<void> }> {
  const page = await browser.newPage({
    viewport: options.viewport ?? { width: 1400, height: 1000 },
    ...(options.timezoneId === undefined ? {} : { timezoneId: options.timezoneId }),
  });
  const problems: PageProblems = { foreign: [], policy: [], errors: [] };
  page.on("request", (request) => {
    if (!request.url().startsWith(origin) && !request.url().startsWith("data:"))
      problems.foreign.push(request.url());
  });
  page.on("console", (message) => {
    // Chromium also warns when a preloaded response goes unused (the page asked for another URL).
    if (/Content Security Policy|preload/i.test(message.text())) problems.policy.push(message.text());
  });
  page.on("pageerror", (error) => problems.errors.push(error.message));
  const rendered = async (name: string) => {
    await page.waitForFunction(
      (n) =>
        (globalThis as unknown as { document: { documentElement: { dataset: Record<string, string> } } })
          .document.documentElement.dataset.rendered === n,
      name,
      { timeout: 15_000 },
    );
  };
  return { page, problems, rendered };
}
