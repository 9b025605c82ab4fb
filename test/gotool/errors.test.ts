import { describe, it, expect } from 'vitest';
import { classifyGoError, explainGoError, goOwnErrorKind } from '../../src/gotool/errors.js';

describe('go error text → stage', () => {
  const cases: Array<[string, string | null, string | null]> = [
    ['dial tcp: lookup proxy.golang.org on 127.0.0.53:53: read udp 127.0.0.1:40000->127.0.0.53:53: i/o timeout', 'dns', 'dns-timeout'],
    ['dial tcp: lookup nowhere.example: no such host', 'dns', 'nxdomain'],
    ['dial tcp: lookup proxy.golang.org on 10.0.0.53:53: server misbehaving', 'dns', 'dns-servfail'],
    ['dial tcp 142.250.1.1:443: i/o timeout', 'connect', 'connect-timeout'],
    ['dial tcp 142.250.1.1:443: connect: connection timed out', 'connect', 'connect-timeout'],
    ['dial tcp [::1]:443: connect: connection refused', 'connect', 'refused'],
    ['dial tcp [2001:db8::1]:443: connect: network is unreachable', 'connect', 'unreachable'],
    ['net/http: TLS handshake timeout', 'tls', 'tls-timeout'],
    ['read tcp 10.0.0.2:51000->142.250.1.1:443: read: connection reset by peer', 'tls', 'reset'],
    ['tls: failed to verify certificate: x509: certificate signed by unknown authority', 'tls', 'x509-unknown-authority'],
    ['x509: certificate is valid for a.example, not proxy.golang.org', 'tls', 'x509'],
    ['remote error: tls: handshake failure', 'tls', 'tls-error'],
    ['proxyconnect tcp: dial tcp 10.0.0.1:3128: i/o timeout', 'proxy-connect', 'proxyconnect'],
    ['Proxy Authentication Required', 'proxy-connect', 'proxy-auth'],
    ['reading https://proxy.golang.org/x/@v/v1.0.0.info: 404 Not Found', 'not-found', 'not-found'],
    ['reading https://proxy.golang.org/x/@v/v1.0.0.info: 410 Gone', 'not-found', 'not-found'],
    ['github.com/x/y@v1.0.0: invalid version: unknown revision v1.0.0', 'not-found', 'unknown-revision'],
    ['github.com/x/y@v1.0.0: verifying module: checksum mismatch', 'checksum-db', 'verify'],
    ['verifying go.mod: github.com/x/y@v1.0.0/go.mod: reading https://sum.golang.org/lookup/github.com/x/y@v1.0.0: 410 Gone', 'checksum-db', 'verify'],
    ['go: downloading go1.22.1 (linux/amd64): toolchain not available', 'toolchain', 'toolchain'],
    ['fatal: could not read Username for \'https://github.com\': terminal prompts disabled', 'git-prompt', 'git-auth'],
    ['Host key verification failed.', 'git-prompt', 'git-auth'],
    ['unexpected EOF', 'transfer', 'transfer-error'],
    ['502 Bad Gateway', 'proxy-response', 'http-5xx'],
    ['go: finding module for package example.com/x', null, null],
    ['insecure', null, null],
  ];
  for (const [text, stage, reason] of cases) {
    it(`${text.slice(0, 70)} → ${stage}`, () => {
      expect(classifyGoError(text)).toBe(stage);
      expect(explainGoError(text)?.reason ?? null).toBe(reason);
    });
  }
  it('module paths, host names and URLs in the text decide nothing: only go\'s words do', () => {
    expect(classifyGoError('go: example.com/x509: reading https://goproxy.cn/example.com/x509/@v/list: 410 Gone')).toBe('not-found');
    expect(classifyGoError('go: github.com/foo/tls: no matching versions for query "latest"')).toBe('not-found');
    expect(classifyGoError('go: github.com/foo/sumdb@v1.0.0: reading https://proxy.golang.org/github.com/foo/sumdb/@v/v1.0.0.mod: 404 Not Found')).toBe('not-found');
    expect(classifyGoError('Get "https://sumdb.corp.example/x/@v/list": context deadline exceeded')).toBe('proxy-response');
    // The checksum database's own URL still points at it.
    expect(classifyGoError('Get "https://sum.golang.org/lookup/github.com/x/y@v1.0.0": context deadline exceeded')).toBe('checksum-db');
    expect(classifyGoError('Get "https://proxy.golang.org/sumdb/sum.golang.org/supported": context deadline exceeded')).toBe('checksum-db');
  });

  it('the proxy wins over the dial under it, DNS over the dial that needed it', () => {
    expect(classifyGoError('Get "https://proxy.golang.org/x": proxyconnect tcp: dial tcp: lookup proxy.corp: no such host')).toBe('proxy-connect');
    expect(classifyGoError('dial tcp: lookup proxy.golang.org: i/o timeout')).toBe('dns');
  });
});

describe("go's own error → what it says to fix", () => {
  // go 1.19.8's lines, from runs in a temporary folder with GOPROXY=off.
  const cases: Array<[string, string]> = [
    ['go nosuchcmd: unknown command', 'command'],
    ['go mod downlaod: unknown command', 'command'],
    ['flag provided but not defined: -nosuchflag', 'command'],
    ['go: parsing $GOFLAGS: unknown flag -nosuchflag', 'command'],
    ['go: parsing $GOFLAGS: non-flag "nosuchflag"', 'command'],
    ["go: no modules specified (see 'go help mod download')", 'no-module'],
    ["go: go.mod file not found in current directory or any parent directory; see 'go help modules'", 'no-module'],
    ['go: cannot match "all": go.mod file not found in current directory or any parent directory; see \'go help modules\'', 'no-module'],
    ['pattern ./...: directory prefix . does not contain main module or its selected dependencies', 'no-module'],
    ['go: example.com/dep@v1.0.0: module lookup disabled by GOPROXY=off', 'setting'],
    ['go: example.com/dep@v1.0.0: invalid proxy URL missing scheme: bogus', 'setting'],
    ['go: example.com/dep@v1.0.0: invalid proxy URL scheme (must be https, http, file): ftp://127.0.0.1/', 'setting'],
    ['go: example.com/dep@v1.0.0: GOPROXY list is not the empty string, but contains no entries', 'setting'],
    ["go: modules disabled by GO111MODULE=off; see 'go help modules'", 'setting'],
    ['go: example.com/x.@v1.0.0: malformed module path "example.com/x.": trailing dot in path element', 'input'],
    ['go: inconsistent vendoring in /tmp/m:', 'input'],
  ];
  for (const [text, kind] of cases) it(`${text.slice(0, 70)} → ${kind}`, () => expect(goOwnErrorKind(text)).toBe(kind));

  it('a module path decides nothing', () => {
    expect(goOwnErrorKind('go: example.com/GOPROXY=off@v1.0.0: malformed module path "example.com/GOPROXY=off": invalid char')).toBe('input');
  });
});
