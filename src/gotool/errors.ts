/**
 * go's error texts → the stage they point at. Used for `# get URL: ERROR` results, `go: …` error
 * lines and `-json` Error fields; exported for the timeline. The first rule that matches wins, so
 * the specific ones come first (`proxyconnect tcp: dial tcp …: i/o timeout` is the proxy, not the
 * connect; `dial tcp: lookup …: i/o timeout` is DNS, not the connect). The rules read go's own
 * words only (goWords): the URLs, host names and module paths in the text could say anything.
 */
import type { StageName } from '../report/schema.js';

export interface GoErrorClass {
  stage: StageName;
  /** Short machine reason, stable: 'dns-timeout', 'nxdomain', 'refused', 'x509', … */
  reason: string;
}

/** What a rule looks at: go's words, and the URLs that were taken out of them. */
interface GoText {
  words: string;
  urls: string[];
}

const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]*/gi;
/** A host name (its last label starts with a letter), with a module or file path and @version after it. */
const NAME_IN_TEXT = /(?<![\w.-])[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z][a-z0-9-]*(?:[/@][^\s"'<>:]*)?/g;
/** Punctuation after a URL that belongs to the sentence: `reading URL: 404`, `Get "URL"`. */
const TRAILING = /[:;,.)]+$/;

/**
 * The text with every URL, host name, module path and absolute file path replaced by `_`, which
 * leaves go's own words: a module called example.com/x509 (`go: example.com/x509: …: 410 Gone`)
 * or a host called sumdb.corp.example says nothing about the stage. go.mod and go.sum are go's
 * words.
 */
export function goWords(text: string): string {
  return splitGoText(text).words;
}

function splitGoText(text: string): GoText {
  const urls: string[] = [];
  const words = text
    .replace(URL_IN_TEXT, (u) => {
      const tail = TRAILING.exec(u)?.[0] ?? '';
      urls.push(u.slice(0, u.length - tail.length));
      return `_${tail}`;
    })
    .replace(NAME_IN_TEXT, (n) => (/^go\.(mod|sum|work)$/.test(n) ? n : '_'))
    .replace(/(?<![\w.-])\/[^\s"'<>:]+/g, '_');
  return { words, urls };
}

/** A URL of the checksum database in the text: sum.golang.org's, or one under a proxy's /sumdb/. */
function namesSumdb(urls: readonly string[]): boolean {
  return urls.some((u) => {
    try {
      const url = new URL(u);
      return url.hostname === 'sum.golang.org' || url.pathname.startsWith('/sumdb/');
    } catch {
      return false;
    }
  });
}

const RULES: Array<[RegExp | ((t: GoText) => boolean), StageName, string]> = [
  [/Proxy Authentication Required|\b407 Proxy/i, 'proxy-connect', 'proxy-auth'],
  [/proxyconnect tcp/i, 'proxy-connect', 'proxyconnect'],
  [/\blookup \S+(?: on \S+)?: .*i\/o timeout/i, 'dns', 'dns-timeout'],
  [/no such host/i, 'dns', 'nxdomain'],
  [/\blookup \S+(?: on \S+)?: .*server misbehaving/i, 'dns', 'dns-servfail'],
  [/\blookup \S+(?: on \S+)?: /i, 'dns', 'dns-error'],
  [/TLS handshake timeout/i, 'tls', 'tls-timeout'],
  [/x509: certificate signed by unknown authority/i, 'tls', 'x509-unknown-authority'],
  [/x509: /i, 'tls', 'x509'],
  [/remote error: tls: |tls: /i, 'tls', 'tls-error'],
  [/connection reset by peer/i, 'tls', 'reset'],
  [/dial tcp \S*: .*i\/o timeout|connect: connection timed out|dial tcp \S*: .*timed out/i, 'connect', 'connect-timeout'],
  [/connection refused/i, 'connect', 'refused'],
  [/network is unreachable|no route to host/i, 'connect', 'unreachable'],
  [(t) => /verifying (module|go\.mod)|SECURITY ERROR|checksum mismatch|sumdb/i.test(t.words) || namesSumdb(t.urls), 'checksum-db', 'verify'],
  [/toolchain not available|downloading go1\.\d+.*: .*(error|not found|404)/i, 'toolchain', 'toolchain'],
  [/terminal prompts disabled|could not read (Username|Password)|Host key verification failed|Permission denied \(publickey/i, 'git-prompt', 'git-auth'],
  [/\b404 Not Found\b|\b410 Gone\b|: 404\b|: 410\b/i, 'not-found', 'not-found'],
  [/unknown revision|invalid version: .*not found|no matching versions|cannot find module providing package/i, 'not-found', 'unknown-revision'],
  [/timeout awaiting response headers|Client\.Timeout exceeded|context deadline exceeded/i, 'proxy-response', 'response-timeout'],
  [/\b5\d\d [A-Z][A-Za-z ]+/, 'proxy-response', 'http-5xx'],
  [/read tcp \S+: i\/o timeout|unexpected EOF|stream error|http2: .*(GOAWAY|timeout)/i, 'transfer', 'transfer-error'],
];

/** Stage and short reason for a go error text, or null when it names none. */
export function explainGoError(text: string): GoErrorClass | null {
  const t = splitGoText(text);
  for (const [rule, stage, reason] of RULES) {
    if (typeof rule === 'function' ? rule(t) : rule.test(t.words)) return { stage, reason };
  }
  return null;
}

/** Stage a go error text points at, or null. */
export function classifyGoError(text: string): StageName | null {
  return explainGoError(text)?.stage ?? null;
}

/**
 * What go's own error (one that points at no stage) says to fix, for the verdict's words and hint:
 * a go command or flag go does not know (`go nosuchcmd: unknown command`, `flag provided but not
 * defined: -nosuchflag`, `go: parsing $GOFLAGS: unknown flag -nosuchflag`); go found no go.mod where it ran (`no modules specified`, `go.mod file not found`); a go setting
 * forbids or breaks what it was asked (`module lookup disabled by GOPROXY=off`, `invalid proxy URL`,
 * `modules disabled by GO111MODULE=off`); otherwise its input (a module path, a version, go.mod).
 */
export type GoOwnErrorKind = 'command' | 'no-module' | 'setting' | 'input';

const OWN_KINDS: Array<[RegExp, GoOwnErrorKind]> = [
  [/^go(?: [\w-]+)+: unknown command$|^flag provided but not defined: |parsing \$GOFLAGS: /, 'command'],
  [/go\.mod file not found|no modules specified|does not contain main module/, 'no-module'],
  [/GOPROXY=off|invalid proxy URL|GOPROXY list is not the empty string|GO111MODULE=off/, 'setting'],
];

export function goOwnErrorKind(text: string): GoOwnErrorKind {
  const words = goWords(text);
  return OWN_KINDS.find(([re]) => re.test(words))?.[1] ?? 'input';
}
