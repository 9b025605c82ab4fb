/**
 * go's error texts → the stage they point at. Used for `# get URL: ERROR` results, `go: …` error
 * lines and `-json` Error fields; exported for the timeline. The first rule that matches wins, so
 * the specific ones come first (`proxyconnect tcp: dial tcp …: i/o timeout` is the proxy, not the
 * connect; `dial tcp: lookup …: i/o timeout` is DNS, not the connect).
 */
import type { StageName } from '../report/schema.js';

export interface GoErrorClass {
  stage: StageName;
  /** Short machine reason, stable: 'dns-timeout', 'nxdomain', 'refused', 'x509', … */
  reason: string;
}

const RULES: Array<[RegExp, StageName, string]> = [
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
  [/verifying (module|go\.mod)|SECURITY ERROR|checksum mismatch|sumdb|sum\.golang\.org/i, 'checksum-db', 'verify'],
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
  for (const [re, stage, reason] of RULES) if (re.test(text)) return { stage, reason };
  return null;
}

/** Stage a go error text points at, or null. */
export function classifyGoError(text: string): StageName | null {
  return explainGoError(text)?.stage ?? null;
}
