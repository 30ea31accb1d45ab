import { type Alert, getJson, type Overview, type Silence, sendJson } from "../api.js";
import { badge, formatDuration, formatTime, h, stacked, zoneName } from "../format.js";
import { debounce, subscribe } from "../live.js";

const DURATIONS = [3_600_000, 4 * 3_600_000, 86_400_000, 7 * 86_400_000];

/** Labels an alert's silence matches by default: what identifies it, not its window. */
const SILENCE_LABELS = ["alertname", "model", "version", "severity"];

/**
 * Firing and recent alerts (acknowledge, silence), and the silences (expire). Times of silences
 * count on the server's alert clock, which is event time in replays, so durations start from it.
 */
export async function renderAlerts(main: HTMLElement): Promise<() => void> {
  /** Where notifications go: the configured channels, or a note that there are none. */
  const channelsNote = h("p", { class: "channels-note", id: "channels-note" });
  const firingBox = h("section", { "aria-labelledby": "firing-title" });
  const recentBox = h("section", { "aria-labelledby": "recent-title" });
  const silencesBox = h("section", { "aria-labelledby": "silences-title" });
  const dialog = h("dialog", { class: "silence-dialog", "aria-labelledby": "dialog-title" });
  main.append(h("h1", {}, "Alerts"), channelsNote, firingBox, recentBox, silencesBox, dialog);

  /**
   * After an action the tables are drawn anew and the focused button is gone: focus the same row's
   * next action, else its name, else the section's heading — never <body>.
   */
  const refocus = (selector: string, fallback: string) => {
    const row = document.querySelector<HTMLElement>(selector);
    const target =
      row?.querySelector<HTMLElement>("button") ??
      row?.querySelector<HTMLElement>("th") ??
      document.getElementById(fallback);
    if (target === null || target === undefined) return;
    if (target.tagName !== "BUTTON") target.tabIndex = -1;
    target.focus();
  };
  /** Opens the dialog on the first required field still empty (else the first field). */
  const openDialog = (form: HTMLFormElement) => {
    dialog.replaceChildren(form);
    dialog.showModal();
    const fields = [...form.querySelectorAll<HTMLInputElement>("input:not([type=checkbox]), select")];
    (fields.find((f) => f.required && f.value === "") ?? fields[0])?.focus();
  };
  let serverNow = Date.now();

  const who = () => localStorage.getItem("tiktoktoe.user") ?? "";
  const remember = (name: string) => {
    try {
      localStorage.setItem("tiktoktoe.user", name);
    } catch {
      // Storage may be refused; the name is asked again next time.
    }
  };

  const openSilence = (alert: Alert) => {
    const matchers = SILENCE_LABELS.filter((name) => alert.labels[name] !== undefined).map((name) => ({
      name,
      value: alert.labels[name]!,
    }));
    const checks = matchers.map((m, i) =>
      h(
        "label",
        { class: "check" },
        h("input", { type: "checkbox", name: `m${i}`, checked: true }),
        ` ${m.name}="${m.value}"`,
      ),
    );
    const duration = h(
      "select",
      { name: "duration", id: "silence-duration" },
      ...DURATIONS.map((ms) => h("option", { value: ms }, formatDuration(ms))),
    );
    const by = h("input", {
      name: "by",
      id: "silence-by",
      required: true,
      value: who(),
      autocomplete: "name",
    });
    const comment = h("input", {
      name: "comment",
      id: "silence-comment",
      required: true,
      placeholder: "why, and the ticket",
    });
    const error = h("p", { class: "error", role: "alert", hidden: true });
    const cancel = h("button", { type: "button" }, "Cancel");
    const form = h(
      "form",
      { method: "dialog" },
      h("h2", { id: "dialog-title" }, `Silence ${alert.labels.alertname ?? "alert"}`),
      h("fieldset", {}, h("legend", {}, "Matching alerts with"), ...checks),
      h("label", { for: "silence-duration" }, "For "),
      duration,
      h("label", { for: "silence-by" }, "Created by "),
      by,
      h("label", { for: "silence-comment" }, "Comment "),
      comment,
      error,
      h(
        "div",
        { class: "dialog-actions" },
        cancel,
        h("button", { type: "submit", class: "primary" }, "Silence"),
      ),
    );
    cancel.addEventListener("click", () => dialog.close());
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const chosen = matchers.filter(
        (_, i) => (checks[i]!.querySelector("input") as HTMLInputElement).checked,
      );
      if (chosen.length === 0) {
        error.hidden = false;
        error.textContent = "Choose at least one label: a silence without matchers would hide everything.";
        return;
      }
      remember(by.value);
      sendJson("POST", "/v1/silences", {
        matchers: chosen.map((m) => ({ ...m, isRegex: false, isEqual: true })),
        startsAt: serverNow,
        endsAt: serverNow + Number(duration.value),
        createdBy: by.value,
        comment: comment.value,
      })
        .then(async () => {
          dialog.close();
          await load();
          refocus(`tr[data-fingerprint="${CSS.escape(alert.fingerprint)}"]`, "silences-title");
        })
        .catch((e: Error) => {
          error.hidden = false;
          error.textContent = e.message;
        });
    });
    openDialog(form);
  };

  /** Acknowledges an alert: who (remembered per browser) and an optional comment, in a dialog. */
  const openAck = (alert: Alert) => {
    const by = h("input", { name: "by", id: "ack-by", required: true, value: who(), autocomplete: "name" });
    const comment = h("input", { name: "comment", id: "ack-comment", placeholder: "optional" });
    const error = h("p", { class: "error", role: "alert", hidden: true });
    const cancel = h("button", { type: "button" }, "Cancel");
    const form = h(
      "form",
      { method: "dialog" },
      h("h2", { id: "dialog-title" }, `Acknowledge ${alert.labels.alertname ?? "alert"}`),
      h("label", { for: "ack-by" }, "Acknowledged by "),
      by,
      h("label", { for: "ack-comment" }, "Comment "),
      comment,
      error,
      h(
        "div",
        { class: "dialog-actions" },
        cancel,
        h("button", { type: "submit", class: "primary" }, "Acknowledge"),
      ),
    );
    cancel.addEventListener("click", () => dialog.close());
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      remember(by.value);
      sendJson("POST", `/v1/alerts/${encodeURIComponent(alert.fingerprint)}/ack`, {
        by: by.value,
        ...(comment.value === "" ? {} : { comment: comment.value }),
      })
        .then(async () => {
          dialog.close();
          await load();
          refocus(`tr[data-fingerprint="${CSS.escape(alert.fingerprint)}"]`, "firing-title");
        })
        .catch((e: Error) => {
          error.hidden = false;
          error.textContent = e.message;
        });
    });
    openDialog(form);
  };

  const alertTable = (alerts: Alert[], actions: boolean) =>
    stacked(
      h(
        "table",
        { class: "alerts" },
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            ...[
              "Severity",
              "Alert",
              "Model",
              "Summary",
              `Since (${zoneName()})`,
              "State",
              ...(actions ? ["Actions"] : []),
            ].map((t) => h("th", { scope: "col" }, t)),
          ),
        ),
        h(
          "tbody",
          {},
          ...alerts.map((a) => {
            const silence = h("button", { type: "button", class: "silence" }, "Silence…");
            silence.addEventListener("click", () => openSilence(a));
            const ackButton = h("button", { type: "button", class: "ack" }, "Ack");
            ackButton.addEventListener("click", () => openAck(a));
            const link =
              a.annotations.dashboard === undefined
                ? null
                : new URL(a.annotations.dashboard, location.origin);
            return h(
              "tr",
              { "data-fingerprint": a.fingerprint, "data-state": a.state, "data-status": a.status },
              h("td", {}, badge(a.labels.severity ?? "warning")),
              h("th", { scope: "row" }, a.labels.alertname ?? ""),
              h(
                "td",
                {},
                a.labels.model === undefined
                  ? "—"
                  : h(
                      "a",
                      {
                        href:
                          link === null
                            ? `/models/${encodeURIComponent(a.labels.model)}`
                            : link.pathname + link.search,
                      },
                      a.labels.model,
                    ),
              ),
              h("td", {}, a.annotations.summary ?? ""),
              h("td", {}, formatTime(a.startsAt)),
              h(
                "td",
                {},
                a.status === "resolved"
                  ? `resolved ${a.endsAt === null ? "" : formatTime(a.endsAt)}`
                  : a.state === "suppressed"
                    ? `silenced${a.silencedBy.length > 0 ? "" : " (inhibited)"}`
                    : "active",
                a.ack === null
                  ? null
                  : h("div", { class: "muted" }, `acked by ${a.ack.by} ${formatTime(a.ack.at)}`),
              ),
              ...(actions
                ? [
                    h(
                      "td",
                      { class: "actions" },
                      a.ack === null ? ackButton : null,
                      a.state === "active" ? silence : null,
                    ),
                  ]
                : []),
            );
          }),
        ),
      ),
    );

  const load = async () => {
    const [alertsAnswer, silencesAnswer, overview] = await Promise.all([
      // A failed request is said as such: an empty list would read "Nothing is firing".
      getJson<{ alerts: Alert[]; channels?: string[] }>("/v1/alerts").catch((error: unknown) => ({
        alerts: [] as Alert[],
        failed: error instanceof Error ? error.message : String(error),
      })),
      getJson<{ silences: Silence[] }>("/v1/silences").catch(() => ({ silences: [] as Silence[] })),
      getJson<Overview>("/v1/overview"),
    ]);
    serverNow = overview.now;
    const failed = "failed" in alertsAnswer ? alertsAnswer.failed : null;
    const channels = "channels" in alertsAnswer ? (alertsAnswer.channels ?? null) : null;
    channelsNote.dataset.channels = channels === null ? "" : channels.join(",");
    channelsNote.hidden = channels === null;
    channelsNote.replaceChildren(
      ...(channels === null
        ? []
        : channels.length === 0
          ? [
              "No notification channel is configured: alerts are listed here only. Add an alerting section — see ",
              h("code", {}, "docs/alerting.md"),
              ".",
            ]
          : [`Notifications go to: ${channels.join(", ")}.`]),
    );
    const firing = alertsAnswer.alerts.filter((a) => a.status === "firing");
    const recent = alertsAnswer.alerts.filter((a) => a.status === "resolved");
    firingBox.replaceChildren(
      h("h2", { id: "firing-title", tabindex: -1 }, failed === null ? `Firing (${firing.length})` : "Firing"),
      failed !== null
        ? h("p", { class: "error", role: "alert" }, `The alerts could not be loaded: ${failed}`)
        : firing.length === 0
          ? h("p", { class: "empty" }, "Nothing is firing.")
          : alertTable(firing, true),
    );
    recentBox.replaceChildren(
      h("h2", { id: "recent-title", tabindex: -1 }, `Recently resolved (${recent.length})`),
      recent.length === 0 ? h("p", { class: "empty" }, "None.") : alertTable(recent, false),
    );
    const silences = silencesAnswer.silences.filter((s) => s.status.state !== "expired");
    silencesBox.replaceChildren(
      h("h2", { id: "silences-title", tabindex: -1 }, `Silences (${silences.length})`),
      silences.length === 0
        ? h("p", { class: "empty" }, "No active silence.")
        : stacked(
            h(
              "table",
              { class: "silences" },
              h(
                "thead",
                {},
                h(
                  "tr",
                  {},
                  ...["Matchers", "Until", "Created by", "Comment", "State", "Action"].map((t) =>
                    h("th", { scope: "col" }, t),
                  ),
                ),
              ),
              h(
                "tbody",
                {},
                ...silences.map((s) => {
                  const expire = h("button", { type: "button", class: "expire" }, "Expire");
                  expire.addEventListener("click", () => {
                    void sendJson("DELETE", `/v1/silences/${encodeURIComponent(s.id)}`)
                      .then(load)
                      .then(() => refocus("table.silences tbody tr", "silences-title"));
                  });
                  return h(
                    "tr",
                    { "data-silence": s.id },
                    h(
                      "td",
                      {},
                      s.matchers
                        .map(
                          (m) =>
                            `${m.name}${m.isEqual === false ? "!" : ""}${m.isRegex ? "=~" : "="}"${m.value}"`,
                        )
                        .join(", "),
                    ),
                    h("td", {}, formatTime(Date.parse(s.endsAt))),
                    h("td", {}, s.createdBy),
                    h("td", {}, s.comment),
                    h("td", {}, s.status.state),
                    h("td", {}, expire),
                  );
                }),
              ),
            ),
          ),
    );
  };
  await load();
  const reload = debounce(() => void load().catch(() => undefined), 1000);
  return subscribe((change) => {
    if (change.type !== "window") reload();
  });
}
