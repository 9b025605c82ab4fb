import { describe, it, expect } from 'vitest';
import { parseXLine, stripPrefix } from '../../src/gotool/xlog.js';

describe('recorder prefix', () => {
  it('takes epoch and stream, leaves other lines alone', () => {
    expect(stripPrefix('1764045000.123456 E # get https://x/y')).toEqual({ time: 1764045000.123456, stream: 'stderr', text: '# get https://x/y' });
    expect(stripPrefix('1764045000.5 O {')).toEqual({ time: 1764045000.5, stream: 'stdout', text: '{' });
    expect(stripPrefix('# get https://x/y')).toEqual({ time: null, stream: null, text: '# get https://x/y' });
    expect(stripPrefix('0.048s # cd /x; git init').time).toBeNull();
  });
});

describe('-x lines', () => {
  it('# get start, 200 with seconds, status without seconds, errors', () => {
    expect(parseXLine('# get https://proxy.golang.org/github.com/!azure/x/@v/list')).toEqual({ type: 'get-start', url: 'https://proxy.golang.org/github.com/!azure/x/@v/list', offset: null });
    expect(parseXLine('# get https://p.example/a/@v/v1.0.0.zip: 200 OK (0.123s)')).toEqual({ type: 'get-result', url: 'https://p.example/a/@v/v1.0.0.zip', status: 200, statusText: 'OK', seconds: 0.123, error: null, offset: null });
    expect(parseXLine('# get https://p.example/a/@v/list: 404 Not Found (0.051s)')).toMatchObject({ status: 404, statusText: 'Not Found', seconds: 0.051 });
    expect(parseXLine('# get https://p.example/a: dial tcp 1.2.3.4:443: i/o timeout')).toMatchObject({ type: 'get-result', status: null, error: 'dial tcp 1.2.3.4:443: i/o timeout' });
    expect(parseXLine('# get http://p.example/a: insecure')).toMatchObject({ type: 'get-result', error: 'insecure' });
  });
  it('newer go: (offset N), interrupted, resume', () => {
    expect(parseXLine('# get https://p.example/a.zip (offset 1048576)')).toEqual({ type: 'get-start', url: 'https://p.example/a.zip', offset: 1048576 });
    expect(parseXLine('# get https://p.example/a.zip: interrupted')).toMatchObject({ type: 'get-interrupted', url: 'https://p.example/a.zip' });
    expect(parseXLine('# get https://p.example/a.zip: resume: 206 Partial Content')).toMatchObject({ type: 'get-interrupted' });
  });
  it('lock, mkdir, cd, VCS commands before and after, go: downloading, other go messages', () => {
    expect(parseXLine('# lock /m/cache/vcs/abc.lock')).toEqual({ type: 'lock', path: '/m/cache/vcs/abc.lock' });
    expect(parseXLine('mkdir -p /m/cache/vcs # git3 https://example.test/repo')).toEqual({ type: 'mkdir', dir: '/m/cache/vcs', note: 'git3 https://example.test/repo' });
    expect(parseXLine('cd /m')).toEqual({ type: 'cd', dir: '/m' });
    expect(parseXLine('git ls-remote https://example.test/repo')).toEqual({ type: 'vcs-start', dir: null, command: 'git', argv: 'ls-remote https://example.test/repo' });
    expect(parseXLine('cd /m/cache/vcs/abc; git fetch -f origin refs/tags/v1:refs/tags/v1')).toMatchObject({ type: 'vcs-start', dir: '/m/cache/vcs/abc', argv: 'fetch -f origin refs/tags/v1:refs/tags/v1' });
    expect(parseXLine('0.167s # cd /m/cache/vcs/abc; git fetch -f origin')).toEqual({ type: 'vcs-done', seconds: 0.167, dir: '/m/cache/vcs/abc', command: 'git', argv: 'fetch -f origin' });
    expect(parseXLine('go: downloading github.com/pkg/errors v0.9.1')).toEqual({ type: 'downloading', module: 'github.com/pkg/errors', version: 'v0.9.1' });
    expect(parseXLine('go: github.com/x/y@v1.0.0: verifying module: checksum mismatch')).toMatchObject({ type: 'go-message' });
    expect(parseXLine('WORK=/tmp/go-build123')).toMatchObject({ type: 'other' });
  });
});

describe('GODEBUG=netdns=2 lines', () => {
  it('a lookup with its order, and the other resolver lines', () => {
    expect(parseXLine('go package net: hostLookupOrder(proxy.golang.org) = files,dns')).toEqual({ type: 'lookup', host: 'proxy.golang.org', order: 'files,dns' });
    expect(parseXLine('go package net: hostLookupOrder(goproxy.cn) = cgo')).toEqual({ type: 'lookup', host: 'goproxy.cn', order: 'cgo' });
    expect(parseXLine('go package net: dynamic selection of DNS resolver')).toEqual({ type: 'netdns', text: 'dynamic selection of DNS resolver' });
    expect(parseXLine('go package net: confVal.netCgo = false  netGo = false').type).toBe('netdns');
  });
});

