import "./styles.css";
import { h, saveSettings, settings, zoneName } from "./format.js";
import { startLive } from "./live.js";
import { pages, type Route } from "./pages/index.js";

/**
 * The dashboard: a shell (navigation, live indicator, time zone and theme switches) and one page at a
 * time, routed on the URL path so every view has a link (alert notifications link to model pages).
 */

function applyTheme(): void {
  const dark =
    settings.theme === "dark" ||
    (settings.theme === "auto" && matchMedia("(prefers-color-scheme: dark)").matches);
  document.documentElement.dataset.theme = dark ? "dark" : "light";
}

let cleanup: (() => void) | null = null;
let renderCount = 0;

function match(path: string): { route: Route; params: Record<string, string> } | null {
  for (const route of pages) {
    const names: string[] = [];
    const pattern = new RegExp(
      `^${route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
        names.push(name);
        return "([^/]+)";
      })}$`,
    );
    const m = pattern.exec(path);
    if (m !== null) {
      const params: Record<string, string> = {};
      names.forEach((name, i) => {
        params[name] = decodeURIComponent(m[i + 1]!);
      });
      return { route, params };
    }
  }
  return null;
}

async function render(): Promise<void> {
  const main = document.getElementById("main")!;
  cleanup?.();
  cleanup = null;
  const id = ++renderCount;
  document.documentElement.dataset.rendered = "";
  const found = match(location.pathname);
  for (const link of document.querySelectorAll<HTMLAnchorElement>("nav.site a")) {
    const active = found !== null && link.dataset.route === found.route.path;
    if (active) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  main.replaceChildren();
  if (found === null) {
    main.append(
      h("h1", {}, "Not found"),
      h("p", {}, "No such page. ", h("a", { href: "/" }, "Back to the overview")),
    );
    document.documentElement.dataset.rendered = "not-found";
    return;
  }
  document.title = `${found.route.title(found.params)} · TikTokToe`;
  try {
    const done = await found.route.render(main, found.params, new URLSearchParams(location.search));
    if (id !== renderCount) {
      done();
      return;
    }
    cleanup = done;
    performance.mark("tiktoktoe:rendered");
    document.documentElement.dataset.rendered = found.route.name;
  } catch (error) {
    if (id !== renderCount) return;
    main.append(
      h("div", { class: "error", role: "alert" }, `Could not load this page: ${(error as Error).message}`),
    );
    document.documentElement.dataset.rendered = "error";
  }
}

/** Follows same-origin links without a reload (the browser's own navigation for everything else). */
export function navigate(url: string): void {
  history.pushState(null, "", url);
  void render();
}

function shell(): void {
  const app = document.getElementById("app")!;
  const live = h(
    "span",
    { class: "live", "aria-live": "polite", "data-state": "connecting" },
    "○ Connecting…",
  );
  const zone = h(
    "button",
    { type: "button", class: "toggle", title: "Show times in UTC or in this browser's zone" },
    `Times: ${zoneName()}`,
  );
  zone.addEventListener("click", () => {
    settings.timeZone = settings.timeZone === "UTC" ? "local" : "UTC";
    saveSettings();
    zone.textContent = `Times: ${zoneName()}`;
    void render();
  });
  const theme = h(
    "button",
    { type: "button", class: "toggle", title: "Light, dark or the system's theme" },
    "",
  );
  const themeLabel = () => {
    theme.textContent = `Theme: ${settings.theme}`;
  };
  themeLabel();
  theme.addEventListener("click", () => {
    settings.theme = settings.theme === "auto" ? "dark" : settings.theme === "dark" ? "light" : "auto";
    saveSettings();
    applyTheme();
    themeLabel();
    void render();
  });
  const nav = h(
    "nav",
    { class: "site", "aria-label": "Main" },
    ...pages
      .filter((p) => p.nav !== undefined)
      .map((p) =>
        h("a", { href: p.nav!, "data-route": p.path }, p.name === "overview" ? "Overview" : p.title({})),
      ),
  );
  const logout =
    app.dataset.auth === "on"
      ? h(
          "form",
          { method: "post", action: "/logout", class: "logout" },
          h("button", { type: "submit", class: "toggle" }, "Log out"),
        )
      : null;
  app.replaceChildren(
    h(
      "header",
      { class: "top" },
      h("a", { href: "/", class: "brand" }, "TikTokToe"),
      nav,
      h("div", { class: "tools" }, live, zone, theme, logout),
    ),
    h("main", { id: "main", tabindex: -1 }),
  );
  startLive(live);
  document.addEventListener("click", (event) => {
    const link = (event.target as Element).closest?.("a");
    if (
      link === null ||
      link === undefined ||
      link.origin !== location.origin ||
      link.target !== "" ||
      event.metaKey ||
      event.ctrlKey ||
      event.shiftKey ||
      link.hasAttribute("download") ||
      !match(link.pathname)
    )
      return;
    event.preventDefault();
    navigate(link.pathname + link.search);
    document.getElementById("main")?.focus({ preventScroll: true });
  });
  window.addEventListener("popstate", () => void render());
  matchMedia("(prefers-color-scheme: dark)").addEventListener("change", () => {
    if (settings.theme === "auto") {
      applyTheme();
      void render();
    }
  });
}

applyTheme();
shell();
void render();
