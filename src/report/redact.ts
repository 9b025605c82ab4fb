/**
 * Reports are pasted into public bug reports: credentials that reached the evidence (a GOPROXY URL
 * with user:token@, a token in a query string, an Authorization or Cookie header in plaintext HTTP,
 * a basic-auth or bearer value in an error text) are replaced by `***` in every string of the report
 * before any renderer sees it. `analyze --no-redact` keeps them.
 */
import type { Report } from './schema.js';
import { USERINFO_PLACEHOLDER } from '../timeline/hints.js';

export const REDACTED = '***';
/** Ends a string cut short (clip sites write it): a credential may have run on past it. */
export const CUT = '…';

const SECRET_PARAMS = [
  'token', 'access_token', 'refresh_token', 'id_token', 'private_token', 'auth', 'authorization',
  'key', 'api_key', 'apikey', 'password', 'passwd', 'pwd', 'secret', 'client_secret', 'sig',
  'signature', 'x-amz-signature', 'x-amz-credential', 'x-amz-security-token', 'session',
];

/**
 * A quoted value: in `"…"`, or in `\"…\"` as strace and Go's %q write it inside their own quotes;
 * its closing quote may be cut off.
 */
const QUOTED = String.raw`(?:"[^"\r\n]*"?|\\"(?:[^"\\\r\n]|\\[^"\r\n])*(?:\\")?)`;

/**
 * Where a name or a credential may start: at a word boundary, or just after strace's `\r` `\n`
 * `\t` escapes (`…\r\nAuthorization: …` in a write's data has no word boundary there).
 */
const START = String.raw`(?:\b|(?<=\\[rnt]))`;
/** Ends a string cut short: our `…`, or strace's `"...` after a string cut at its -s limit. */
const CUT_MARK = String.raw`(…|"\.\.\.)`;

/**
 * Userinfo that is no secret: the placeholders our own hints use to show the form of a credential,
 * in every language (a starred one would be counted as a credential found in the evidence), and
 * what redaction already left.
 */
const PLACEHOLDER_USERINFO = new Set([...Object.values(USERINFO_PLACEHOLDER), 'USER', REDACTED].map((u) => `${u}@`));

const RULES: Array<[RegExp, string | ((match: string, ...groups: string[]) => string)]> = [
  // scheme://user:password@host or scheme://token@host → scheme://***@host
  [/\b([a-z][a-z0-9+.-]{1,20}:\/\/)([^\s/@"'<>]+@)/gi, (m, scheme: string, userinfo: string) =>
    PLACEHOLDER_USERINFO.has(userinfo) ? m : `${scheme}${REDACTED}@`],
  // ?token=… &password=… (quoted too)
  [new RegExp(`([?&;](?:${SECRET_PARAMS.join('|')})=)(?:${QUOTED}|'[^'\\r\\n]*'?|[^&;#\\s"'<>]+)`, 'gi'), `$1${REDACTED}`],
  // Header lines as they appear in plaintext HTTP or error texts; a quoted value, and what follows
  // it on the line, too.
  [new RegExp(`${START}((?:proxy-)?authorization|cookie|set-cookie|x-api-key|private-token)(\\s*[:=]\\s*)(?:${QUOTED}[^\\r\\n"]*|[^\\r\\n"]+)`, 'gi'), `$1$2${REDACTED}`],
  // Credentials after their scheme in free text (the value must look encoded: a digit, + / or =).
  [new RegExp(String.raw`${START}(basic|bearer)\s+(?=[A-Za-z0-9._~+/=-]*[0-9+/=])[A-Za-z0-9._~+/=-]{8,}`, 'gi'), `$1 ${REDACTED}`],
  // Well-known token shapes (GitHub, GitLab).
  [new RegExp(String.raw`${START}(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|glpat-[A-Za-z0-9_-]{20,})\b`, 'g'), REDACTED],
  // Cut short before a rule above could see its whole match: userinfo before its `@` (a host cut
  // short looks the same and goes too), a basic or bearer value, a token after its prefix. The cut's
  // mark is kept.
  [new RegExp(String.raw`\b([a-z][a-z0-9+.-]{1,20}:\/\/)[^\s/@"'<>…]+${CUT_MARK}`, 'gi'), `$1${REDACTED}$2`],
  [new RegExp(String.raw`${START}(basic|bearer)\s+[A-Za-z0-9._~+/=-]+${CUT_MARK}`, 'gi'), `$1 ${REDACTED}$2`],
  [new RegExp(String.raw`${START}(?:gh[pousr]_|github_pat_|glpat-)[A-Za-z0-9_-]*${CUT_MARK}`, 'g'), `${REDACTED}$1`],
];

/**
 * What every rule's match must contain: `@` (userinfo), `=` (a query parameter), a header name,
 * `basic`/`bearer`, a token prefix, or a cut's mark. A string without any of them is left as it is
 * after one scan, instead of eight: nearly every string of a report (addresses, names, times as
 * text, fingerprints, histories) is such a string.
 */
const MAY_HOLD_SECRET = /[@=…]|"\.\.\.|authorization|cookie|x-api-key|private-token|basic|bearer|gh[pousr]_|github_pat_|glpat-/i;

/** Redact one string; returns it unchanged (same instance) when nothing matched. */
export function redactText(s: string): string {
  return MAY_HOLD_SECRET.test(s) ? applyRules(s) : s;
}

/** Every rule applied to `s`, without the pre-check (redactText gives the same result, faster). */
export function applyRules(s: string): string {
  let out = s;
  for (const [re, to] of RULES) out = out.replace(re, to as string);
  return out;
}

/**
 * `s` with what the rules would replace overwritten by as many `*` (same length: a capture's byte
 * offsets must stay true). Each match is starred apart, and only where the rule's replacement
 * differs from it: what a rule keeps (a scheme, a parameter or header name, the `@`) and whatever
 * lies between two credentials stay readable.
 */
export function starText(s: string): string {
  if (!MAY_HOLD_SECRET.test(s)) return s;
  let out = s;
  for (const [re, to] of RULES) {
    out = out.replace(re, (m: string, ...args: unknown[]) => {
      // The arguments after the groups: the match's offset and the whole string.
      const groups = args.slice(0, -2) as string[];
      const r = typeof to === 'function' ? to(m, ...groups) : to.replace(/\$(\d)/g, (_, n: string) => groups[Number(n) - 1] ?? '');
      let p = 0;
      while (p < m.length && p < r.length && m[p] === r[p]) p++;
      let q = 0;
      while (q < m.length - p && q < r.length - p && m[m.length - 1 - q] === r[r.length - 1 - q]) q++;
      return p + q >= m.length ? m : m.slice(0, p) + '*'.repeat(m.length - p - q) + m.slice(m.length - q);
    });
  }
  return out;
}

/**
 * Redact every string in the report in place and return how many strings changed. Keys are not
 * touched; only values.
 */
export function redactReport(report: Report): number {
  const state = { changed: 0, seen: new Set<object>() };
  walk(report, state);
  return state.changed;
}

/**
 * Redact the strings under `v` in place; returns `v`, or its redacted text when `v` is a string.
 * A value is written back only when it changed (the report has a few hundred thousand values, and
 * nearly none change).
 */
function walk(v: unknown, state: { changed: number; seen: Set<object> }): unknown {
  if (typeof v === 'string') {
    const r = redactText(v);
    if (r !== v) state.changed++;
    return r;
  }
  if (v === null || typeof v !== 'object' || state.seen.has(v)) return v;
  state.seen.add(v);
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (x === null || (typeof x !== 'string' && typeof x !== 'object')) continue;
      const r = walk(x, state);
      if (r !== x) v[i] = r;
    }
  } else {
    const o = v as Record<string, unknown>;
    for (const k in o) {
      if (!Object.hasOwn(o, k)) continue;
      const x = o[k];
      if (x === null || (typeof x !== 'string' && typeof x !== 'object')) continue;
      const r = walk(x, state);
      if (r !== x) o[k] = r;
    }
  }
  return v;
}
