/**
 * Text helpers for the channels: cutting a text to a limit without breaking a line, a character or an
 * escape sequence, and escaping for Slack's mrkdwn and for HTML.
 */

/**
 * Cuts `text` to at most `max` UTF-16 units (what Slack and JavaScript count), ending with `note`
 * when something was cut. It cuts at the last line break when one falls in the second half of the
 * allowance (a reader then sees whole lines), else mid-line; it never splits a surrogate pair or an
 * HTML/mrkdwn entity (`&amp;`).
 *
 * @example
 * ```ts
 * truncate("line one\nline two\nline three", 22, "\n…"); // "line one\nline two\n…"
 * truncate("short", 100, "…"); // "short"
 * ```
 */
export function truncate(text: string, max: number, note = "…"): string {
  if (text.length <= max) return text;
  const room = Math.max(0, max - note.length);
  let cut = room;
  const newline = text.lastIndexOf("\n", room);
  if (newline >= room / 2) cut = newline + (note.startsWith("\n") ? 0 : 1);
  else {
    // Do not end between the halves of a surrogate pair.
    const code = text.charCodeAt(cut - 1);
    if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
    // Do not end inside an entity such as &amp; or &#x27;.
    const amp = text.lastIndexOf("&", cut - 1);
    if (amp >= 0 && cut - amp < 10 && !text.slice(amp, cut).includes(";") && /^&#?\w+;/.test(text.slice(amp)))
      cut = amp;
  }
  return `${text.slice(0, cut)}${note}`.slice(0, Math.max(max, 0));
}

/**
 * Escapes the three characters Slack's mrkdwn treats as control characters (`&`, `<`, `>`), so an
 * annotation cannot inject a link or a mention.
 *
 * @example
 * ```ts
 * escapeMrkdwn("p < 0.05 & <!here>"); // "p &lt; 0.05 &amp; &lt;!here&gt;"
 * ```
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * A Slack link `<url|label>`: the URL's `|` and `>` would end the link early, so they are encoded.
 *
 * @example
 * ```ts
 * slackLink("https://example.org/a?b=1&c=2", "Open"); // "<https://example.org/a?b=1&amp;c=2|Open>"
 * ```
 */
export function slackLink(url: string, label: string): string {
  const safeUrl = escapeMrkdwn(url.replace(/\|/g, "%7C"));
  return `<${safeUrl}|${escapeMrkdwn(label).replace(/\|/g, "¦")}>`;
}

/**
 * Escapes text for HTML element content and attribute values.
 *
 * @example
 * ```ts
 * escapeHtml(`<b>"x" & 'y'</b>`); // "&lt;b&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/b&gt;"
 * ```
 */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/**
 * True for an `http:` or `https:` URL: only those become links (a `javascript:` annotation must not).
 *
 * @example
 * ```ts
 * isHttpUrl("https://example.org"); // true
 * isHttpUrl("javascript:alert(1)"); // false
 * ```
 */
export function isHttpUrl(value: string | undefined): value is string {
  if (value === undefined) return false;
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

/**
 * An RFC 3339 time as a reader wants it: `2026-11-27 10:00 UTC` (the input when it does not parse).
 *
 * @example
 * ```ts
 * readableTime("2026-11-27T10:00:00Z"); // "2026-11-27 10:00 UTC"
 * ```
 */
export function readableTime(time: string): string {
  const ms = Date.parse(time);
  if (Number.isNaN(ms)) return time;
  return `${new Date(ms).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}
