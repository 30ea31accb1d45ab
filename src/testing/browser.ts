import { existsSync, mkdirSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";
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
