/**
 * The tab's one server-sent events stream. EventSource reconnects by itself and sends the last id it
 * saw; the server replays what was missed, or sends `reset` when the gap is too old, and then every
 * page reloads its data. Pages subscribe while they are shown.
 */

export type LiveChange =
  | { type: "window"; model: string; version: string; startMs: number; final: boolean }
  | { type: "alert"; fingerprint: string; status: string; state: string; labels: Record<string, string> }
  | { type: "report"; model: string; id: string; status: string }
  | { type: "reset" };

type Listener = (change: LiveChange) => void;

const listeners = new Set<Listener>();
let source: EventSource | null = null;
let indicator: HTMLElement | null = null;
let received = 0;

function setState(state: "live" | "connecting" | "offline"): void {
  if (indicator === null) return;
  indicator.dataset.state = state;
  indicator.textContent =
    state === "live" ? "● Live" : state === "connecting" ? "○ Reconnecting…" : "○ Offline";
  indicator.title =
    state === "live" ? "New windows and alerts appear as they happen" : "The live stream is reconnecting";
}

function dispatch(change: LiveChange): void {
  received++;
  document.documentElement.dataset.liveEvents = String(received);
  for (const listener of listeners) listener(change);
}

/** Opens the stream (once per tab) and shows its state in `element`. */
export function startLive(element: HTMLElement): void {
  indicator = element;
  if (source !== null) return;
  source = new EventSource("/v1/stream");
  setState("connecting");
  source.addEventListener("hello", () => setState("live"));
  source.addEventListener("error", () =>
    setState(source?.readyState === EventSource.CLOSED ? "offline" : "connecting"),
  );
  for (const type of ["window", "alert", "report"] as const)
    source.addEventListener(type, (event) => {
      try {
        dispatch({ type, ...(JSON.parse((event as MessageEvent<string>).data) as object) } as LiveChange);
      } catch {
        // A malformed event is skipped; the next reset or reload repairs the view.
      }
    });
  source.addEventListener("reset", () => dispatch({ type: "reset" }));
}

/** Calls `listener` for each change until the returned function is called. */
export function subscribe(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Runs `task` at most once per `ms` (changes arrive in bursts: one window per version and model). */
export function debounce(task: () => void, ms: number): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  return () => {
    if (timer !== null) return;
    timer = setTimeout(() => {
      timer = null;
      task();
    }, ms);
  };
}
