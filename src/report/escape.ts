/**
 * One place for escaping. Every string that came from a capture, a log or a process is untrusted:
 * a DNS name can hold any byte, an SNI can be 64 KB, a URL can carry `</script>` or bidi overrides.
 */

/** Text for HTML element content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * JSON to embed inside `<script type="application/json">`: `<`, `>`, `&` and U+2028/2029 become
 * \u escapes, so no `</script>` or `<!--` can end or change the element, and the text stays valid JSON.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

// C0/C1 controls, DEL, and the Unicode bidi controls / isolates / marks that can reorder what a
// reader sees (Trojan Source), plus zero-width characters.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

/** `visible`'s character class as regular-expression source: the HTML page's script (html-assets.ts) escapes the same characters. */
export const UNSAFE_SOURCE = UNSAFE.source;

/** Make a string safe for a terminal or a one-line field: controls and bidi marks as \xNN / \u{NNNN}. */
export function visible(s: string): string {
  return s.replace(UNSAFE, (c) => {
    const n = c.charCodeAt(0);
    return n <= 0xff ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u{${n.toString(16)}}`;
  });
}

/** Shorten to at most `max` characters (by code unit), marking the cut with an ellipsis. */
export function truncate(s: string, max: number): string {
  if (s.length <= max) return s;
  if (max <= 1) return '…';
  return s.slice(0, max - 1) + '…';
}

/** `visible` then `truncate`: what terminals and Markdown tables show for an evidence string. */
export function clip(s: string | null | undefined, max = 200): string {
  if (s === null || s === undefined) return '';
  // Clip before escaping so that a 100 KB string costs little, then clip the escaped form.
  return truncate(visible(s.length > max * 4 ? s.slice(0, max * 4) : s), max);
}

/**
 * Markdown text outside code, embedded mid-line (never at a line start, where `#`, `-`, `+` or
 * `1.` would start a block): escape the characters that open inline syntax anywhere — emphasis,
 * code, links and images (`[`, `]`), raw HTML and entities, table pipes, strikethrough — and
 * neutralise controls, newlines and @-mentions. Dots, dashes and parentheses stay as they are, so
 * host names and versions read naturally when the Markdown is read as text.
 */
export function escapeMarkdown(s: string): string {
  return visible(s)
    .replace(/[\\`*_{}[\]|~<>&"]/g, (c) => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '&' ? '&amp;' : c === '"' ? '&quot;' : '\\' + c))
    .replace(MENTION, '@&#8203;')
    .replace(/\r?\n/g, ' ');
}

/**
 * An `@` GitHub would read as a mention of whoever has the name after it: at the start or after a
 * character that is not a letter, digit or `_`, and not followed by a name and a `/`. A zero-width
 * space after it stops that. The `@v/` of every module URL is no mention and stays as it is, so a
 * URL copied from the rendered report works in curl.
 */
const MENTION = /(?<![A-Za-z0-9_])@(?![A-Za-z0-9][A-Za-z0-9-]*\/)/g;

/** Inline code span in Markdown holding arbitrary text (backticks in the text lengthen the fence). */
export function markdownCode(s: string): string {
  const text = visible(s).replace(/\r?\n/g, ' ');
  let fence = '`';
  while (text.includes(fence)) fence += '`';
  const pad = text.startsWith('`') || text.endsWith('`') || text === '' ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}
