import { beforeEach, describe, expect, it } from 'vitest';
import { decide } from '../../src/timeline/verdict.js';
import {
  conn, connectCall, dnsTx, fetch, goProcess, goroutine, input, lockCall, resetIds,
} from './factories.js';

beforeEach(() => resetIds());

describe('verdict: one stall kind at a time', () => {
  it('healthy: stage none, state ok, and names the slowest stage', () => {
    const r = decide(input({
      end: 3,
      dns: [dnsTx({ name: 'proxy.golang.org', at: 0, latency: 0.02 }), dnsTx({ name: 'proxy.golang.org', type: 'AAAA', at: 0, latency: 0.03 })],
      connections: [conn({ at: 0.05, tls: 'ok', waits: [{ after: 0.01, seconds: 0.2 }], closedAt: 2.5 })],
    }));
    expect(r.verdict.stage).toBe('none');
    expect(r.verdict.state).toBe('ok');
    expect(r.verdict.summary).toMatch(/slowest stage was proxy-response/);
    expect(r.verdict.host).toBe('proxy.golang.org');
    expect(r.findings).toEqual([]);
  });

  it('DNS silent: every send unanswered → dns stalled, with the server and the wait', () => {
    const r = decide(input({
      end: 12,
      dns: [
        dnsTx({ name: 'proxy.golang.org', at: 0.1, latency: null, queries: [0.1, 5.1, 10.1], server: '127.9.9.9:53' }),
        dnsTx({ name: 'proxy.golang.org', type: 'AAAA', at: 0.1, latency: null, queries: [0.1, 5.1, 10.1], server: '127.9.9.9:53' }),
      ],
    }));
    expect(r.verdict).toMatchObject({ stage: 'dns', state: 'stalled', host: 'proxy.golang.org', address: '127.9.9.9:53' });
    expect(r.verdict.waited).toBeCloseTo(11.9, 5);
    expect(r.verdict.hints.join(' ')).toMatch(/resolv\.conf/);
    expect(r.verdict.hints.join(' ')).toMatch(/GODEBUG=netdns/);
  });

  it('NXDOMAIN → dns failed', () => {
    const r = decide(input({
      end: 1,
      dns: [dnsTx({ name: 'goproxy.example', at: 0.1, rcode: 'NXDOMAIN', addrs: [] }), dnsTx({ name: 'goproxy.example', type: 'AAAA', at: 0.1, rcode: 'NXDOMAIN', addrs: [] })],
    }));
    expect(r.verdict).toMatchObject({ stage: 'dns', state: 'failed', host: 'goproxy.example' });
    expect(r.verdict.summary).toMatch(/NXDOMAIN/);
  });

  it('a response whose query was sent before the capture began is no slow lookup (its time is unknown)', () => {
    const late = dnsTx({ name: 'goproxy.example', at: 70, queries: [], frames: [9] });
    const r = decide(input({ end: 80, dns: [late] }));
    expect(r.verdict).toMatchObject({ stage: 'none', state: 'ok' });
    expect(r.findings.filter((f) => f.stage === 'dns')).toEqual([]);
  });

  it('a search-domain NXDOMAIN followed by the bare name resolving is recovered, not the verdict', () => {
    const r = decide(input({
      end: 2,
      dns: [dnsTx({ name: 'proxy.golang.org.corp.example', at: 0, rcode: 'NXDOMAIN', addrs: [] }), dnsTx({ name: 'proxy.golang.org', at: 0.01 })],
      connections: [conn({ at: 0.05, tls: 'ok', waits: [{ after: 0.01, seconds: 0.1 }], closedAt: 1 })],
    }));
    expect(r.verdict.stage).toBe('none');
    expect(r.findings[0].summary).toMatch(/recovered/);
  });

  it('connect black-holed: SYNs re-sent, no SYN-ACK → connect stalled, address is the server', () => {
    const r = decide(input({
      end: 20,
      dns: [dnsTx({ name: 'proxy.golang.org', at: 0, addrs: ['10.9.9.9'] })],
      connections: [conn({ at: 0.01, server: '10.9.9.9:443', synAck: null, synRetries: 4 })],
    }));
    expect(r.verdict).toMatchObject({ stage: 'connect', state: 'stalled', host: 'proxy.golang.org', address: '10.9.9.9:443' });
    expect(r.verdict.waited).toBeCloseTo(19.99, 2);
    expect(r.verdict.evidence[0].ref).toMatch(/^frame \d+$/);
  });

  it('a slow connect says whether the SYN was sent again or one SYN was answered late', () => {
    const late = decide(input({ end: 5, connections: [conn({ at: 0.01, server: '10.9.9.9:443', synAck: 1.5 })] }));
    expect(late.verdict).toMatchObject({ stage: 'connect', state: 'slow', address: '10.9.9.9:443' });
    expect(late.verdict.summary).toBe('TCP connect to 10.9.9.9:443 took 1.5 s (one SYN, answered late).');
    expect(decide(input({ end: 5, connections: [conn({ at: 0.01, server: '10.9.9.9:443', synAck: 1.5 })] }), 'zh-CN').verdict.summary).toContain('只发了一个 SYN');
    const resent = decide(input({ end: 5, connections: [conn({ at: 0.01, server: '10.9.9.9:443', synRetries: 1, synAck: 1.2 })] }));
    expect(resent.verdict.summary).toBe('TCP connect to 10.9.9.9:443 took 1.2 s (SYN retransmitted).');
  });

  it('connect refused → connect failed', () => {
    const r = decide(input({ end: 1, connections: [conn({ at: 0.1, server: '127.3.3.1:8080', refused: true, tls: null })] }));
    expect(r.verdict).toMatchObject({ stage: 'connect', state: 'failed', address: '127.3.3.1:8080' });
  });

  it('TLS with no ServerHello → tls stalled, host from SNI', () => {
    const r = decide(input({ end: 15, connections: [conn({ at: 0, tls: 'no-server-hello', sni: 'proxy.golang.org' })] }));
    expect(r.verdict).toMatchObject({ stage: 'tls', state: 'stalled', host: 'proxy.golang.org', address: '10.1.2.3:443' });
    expect(r.verdict.hints.join(' ')).toMatch(/SNI/);
  });

  it('TLS reset after the ClientHello → tls failed', () => {
    const r = decide(input({ end: 2, connections: [conn({ at: 0, tls: 'reset', sni: 'goproxy.lab.test' })] }));
    expect(r.verdict).toMatchObject({ stage: 'tls', state: 'failed', host: 'goproxy.lab.test' });
    expect(r.verdict.summary).toMatch(/reset/);
  });

  it('GOPROXY silent on one URL over TLS after others succeeded → proxy-response stalled', () => {
    const r = decide(input({
      end: 40,
      connections: [conn({ at: 0, tls: 'ok', sni: 'goproxy.lab.test', waits: [{ after: 0.01, seconds: 0.01 }, { after: 0.05, seconds: 0.02 }, { after: 0.1, seconds: null }] })],
    }));
    expect(r.verdict).toMatchObject({ stage: 'proxy-response', state: 'stalled', host: 'goproxy.lab.test' });
    expect(r.verdict.waited!).toBeGreaterThan(39);
    expect(r.verdict.hints.join(' ')).toMatch(/GOPROXY/);
  });

  it('HTTP/2 over TLS: other streams answered, then silence on every connection until the client hangs up → proxy-response stalled', () => {
    const c = conn({ at: 0, tls: 'ok', sni: 'goproxy.lab.test', waits: [{ after: 0.001, seconds: 0.001 }, { after: 0.005, seconds: 0.0002 }], closedAt: 30 });
    c.longestIdle = { start: 0.02, seconds: 29.98 };
    c.lastPayload = { client: 0.015, server: 30 };
    const r = decide(input({ end: 30, connections: [c] }));
    expect(r.verdict).toMatchObject({ stage: 'proxy-response', state: 'stalled', host: 'goproxy.lab.test', address: '10.1.2.3:443' });
    expect(r.verdict.waited).toBeCloseTo(29.98, 2);
    // The same idle connection while another connection keeps working is a pooled connection, not a stall.
    const busy = conn({ at: 1, server: '10.1.2.4:443', tls: 'ok', sni: 'goproxy.lab.test', waits: [{ after: 0.01, seconds: 0.01 }, { after: 20, seconds: 0.01 }], closedAt: 29.9 });
    busy.lastPayload = { client: 21, server: 21 };
    const r2 = decide(input({ end: 30, connections: [c, busy] }));
    expect(r2.verdict.stage).toBe('none');
  });

  it('GOPROXY silent on one URL over plain HTTP → proxy-response stalled, the URL in the summary', () => {
    const r = decide(input({
      end: 30,
      connections: [conn({
        at: 0, server: '127.4.4.1:8081', tls: null,
        http: [{ after: 0.01, ttfb: 0.003, target: '/example.com/a/@v/list', host: '127.4.4.1:8081' },
          { after: 0.1, ttfb: null, target: '/example.com/b/@v/v1.0.0.zip', host: '127.4.4.1:8081' }],
      })],
    }));
    expect(r.verdict).toMatchObject({ stage: 'proxy-response', state: 'stalled', address: '127.4.4.1:8081' });
    expect(r.verdict.summary).toContain('/example.com/b/@v/v1.0.0.zip');
    expect(r.verdict.confidence).toBeGreaterThanOrEqual(0.75); // /@v/ path ties it to go
  });

  it('forward proxy silent on CONNECT → proxy-connect stalled; host is the target, address the proxy', () => {
    const r = decide(input({
      end: 25,
      connections: [conn({ at: 0, server: '127.5.5.1:3128', proxyConnect: { target: 'proxy.golang.org:443', status: null } })],
    }));
    expect(r.verdict).toMatchObject({ stage: 'proxy-connect', state: 'stalled', host: 'proxy.golang.org', address: '127.5.5.1:3128' });
    expect(r.verdict.hints.join(' ')).toMatch(/NO_PROXY/);
  });

  it('forward proxy 407 → proxy-connect failed with the credentials hint', () => {
    const r = decide(input({
      end: 1,
      connections: [conn({ at: 0, server: '127.5.5.1:3128', proxyConnect: { target: 'proxy.golang.org:443', status: 407 }, closedAt: 0.1 })],
    }));
    expect(r.verdict).toMatchObject({ stage: 'proxy-connect', state: 'failed', host: 'proxy.golang.org' });
    expect(r.verdict.summary).toMatch(/407/);
    expect(r.verdict.hints[0]).toMatch(/HTTPS_PROXY=http:\/\/USER:PASSWORD@/);
  });

  it('a trickling body over TLS → transfer slow (bytes still arriving)', () => {
    const r = decide(input({
      end: 30,
      connections: [conn({ at: 0, tls: 'ok', waits: [{ after: 0.01, seconds: 0.01 }], serverBytes: 3000, serverDataUntil: 29.5 })],
    }));
    expect(r.verdict).toMatchObject({ stage: 'transfer', state: 'slow' });
  });

  it('a trickling plain-HTTP body → transfer slow; a body that stops → transfer stalled', () => {
    const r = decide(input({
      end: 30,
      connections: [conn({ at: 0, tls: null, server: '127.4.4.1:8081', http: [{ after: 0.01, ttfb: 0.01, body: null, contentLength: 100000, bodyBytes: 300 }], serverDataUntil: 29.8 })],
    }));
    expect(r.verdict).toMatchObject({ stage: 'transfer', state: 'slow' });
    expect(r.verdict.summary).toMatch(/300 of 100000/);
    const stopped = decide(input({
      end: 30,
      connections: [conn({ at: 0, tls: null, server: '127.4.4.1:8081', http: [{ after: 0.01, ttfb: 0.01, body: null, contentLength: 100000, bodyBytes: 300 }], serverDataUntil: 2 })],
    }));
    expect(stopped.verdict).toMatchObject({ stage: 'transfer', state: 'stalled' });
    expect(stopped.verdict.summary).toMatch(/nothing for 28\.0 s/);
  });

  it('module cache lock held by another process → cache-lock stalled with the lock path', () => {
    const r = decide(input({
      end: 20, captureEnd: null,
      syscalls: [lockCall({ at: 1, duration: null })], processes: [goProcess()],
    }));
    expect(r.verdict).toMatchObject({ stage: 'cache-lock', state: 'stalled', host: null, address: null });
    expect(r.verdict.path).toMatch(/toml\/@v\/v1\.3\.2\.lock$/);
    expect(r.verdict.waited).toBeCloseTo(19, 5);
    expect(r.verdict.evidence[0]).toMatchObject({ source: 'strace', ref: 'line 812' });
    expect(r.verdict.hints.join(' ')).toMatch(/lslocks/);
    expect(r.verdict.hints.join(' ')).not.toMatch(/go clean -modcache helps\b(?! only)/);
  });

  it('a flock by go on an fd strace could not name, never returning → still cache-lock stalled', () => {
    const r = decide(input({ end: 10, captureEnd: null, syscalls: [{ ...lockCall({ at: 1, duration: 8.9 }), path: null, module: null, kind: 'other', result: '?', text: 'flock(7, LOCK_EX' }] }));
    expect(r.verdict).toMatchObject({ stage: 'cache-lock', state: 'stalled', path: null });
    expect(r.verdict.waited).toBeCloseTo(8.9, 5);
  });

  it('the lock holder PID, when the recorder saw it, goes into the hint', () => {
    const path = '/m/cache/download/x/@v/v1.lock';
    const r = decide(input({ end: 10, captureEnd: null, syscalls: [lockCall({ at: 1, duration: null, path })], lockHolders: [{ path, pid: 777 }] }));
    expect(r.verdict.hints[0]).toMatch(/PID 777/);
  });

  it('a lock waited on twice: the summary tells of the longer wait, as waited does', () => {
    const r = decide(input({
      end: 8, captureEnd: null,
      syscalls: [lockCall({ at: 1, duration: null, line: 812 }), lockCall({ at: 0.5, duration: null, line: 900, pid: 4101 })],
      processes: [goProcess()],
    }));
    expect(r.verdict).toMatchObject({ stage: 'cache-lock', state: 'stalled' });
    expect(r.verdict.waited).toBeCloseTo(7.5, 5);
    expect(r.verdict.summary).toMatch(/ for 7\.5 s: another process holds it\. \(2 times\)$/);
  });

  it('a lock wait from a goroutine dump alone does not blame a strace log that was never given', () => {
    const r = decide(input({ end: 10, captureEnd: null, goroutines: [goroutine('cache-lock', 5)] }));
    expect(r.verdict).toMatchObject({ stage: 'cache-lock', path: null });
    expect(r.verdict.summary).toMatch(/\(a file the evidence does not name\)/);
    expect(r.verdict.summary).not.toMatch(/strace/);
  });

  it('a lock that was released after 3 s with nothing else wrong → cache-lock slow', () => {
    const r = decide(input({ end: 10, syscalls: [lockCall({ at: 1, duration: 3 })] }));
    expect(r.verdict).toMatchObject({ stage: 'cache-lock', state: 'slow' });
  });
});

describe('verdict: a wait the end of the evidence cut short is no stall', () => {
  /** Each stage's wait, begun at about 9.9 s: the evidence ends at 10 s. */
  const cases: Array<[string, Partial<Parameters<typeof input>[0]>]> = [
    ['dns', { dns: [dnsTx({ name: 'proxy.golang.org', at: 9.9, latency: null })] }],
    ['connect', { connections: [conn({ at: 9.9, synAck: null })] }],
    ['proxy-connect', { connections: [conn({ at: 9.9, server: '127.5.5.1:3128', proxyConnect: { target: 'proxy.golang.org:443', status: null } })] }],
    ['tls', { connections: [conn({ at: 9.99, tls: 'no-server-hello', sni: 'proxy.golang.org' })] }],
    ['proxy-response', { connections: [conn({ at: 9.8, tls: 'ok', waits: [{ after: 0.1, seconds: null }] })] }],
    ['proxy-response', { connections: [conn({ at: 9.8, server: '127.4.4.1:8081', tls: null, http: [{ after: 0.1, ttfb: null, target: '/x/@v/list' }] })] }],
    ['proxy-response', { captureEnd: null, fetches: [fetch({ url: 'https://proxy.golang.org/x/@v/list', start: 9.9 })] }],
    ['cache-lock', { captureEnd: null, syscalls: [lockCall({ at: 9.5, duration: null })] }],
  ];
  for (const [stage, o] of cases) {
    it(`${stage}${o.fetches ? ' (go fetch)' : o.connections?.[0]?.http.length ? ' (plain HTTP)' : ''}: not a stall, a note that the evidence ended while waiting`, () => {
      const r = decide(input({ end: 10, ...o }));
      expect(r.verdict).toMatchObject({ stage: 'none', state: 'ok' });
      const note = r.findings.find((f) => f.stage === stage);
      expect(note).toMatchObject({ state: 'ok', hints: [] });
      expect(note!.confidence).toBeLessThanOrEqual(0.3);
      expect(note!.summary).toMatch(/^The evidence ended 0\.\d\d s into .*too soon to call it a stall\.$/);
    });
  }

  it('the same waits a second longer are stalls', () => {
    const tls = decide(input({ end: 11, connections: [conn({ at: 9.99, tls: 'no-server-hello' })] }));
    expect(tls.verdict).toMatchObject({ stage: 'tls', state: 'stalled' });
    const get = decide(input({ end: 11, captureEnd: null, fetches: [fetch({ url: 'https://proxy.golang.org/x/@v/list', start: 9.9 })] }));
    expect(get.verdict).toMatchObject({ stage: 'proxy-response', state: 'stalled', confidence: 0.95 });
  });

  it('a ClientHello the client hung up on at once is neither a stall nor a note', () => {
    const r = decide(input({ end: 10, connections: [conn({ at: 5, tls: 'no-server-hello', closedAt: 5.2 })] }));
    expect(r.verdict.stage).toBe('none');
    expect(r.findings).toEqual([]);
  });

  it('a SYN go moved on from (an address that answered 0.3 s later) is still the IPv6 fallback, even in a short capture', () => {
    const r = decide(input({
      end: 0.45,
      dns: [dnsTx({ name: 'goproxy.lab.example', type: 'AAAA', at: 0, addrs: ['::1'] }), dnsTx({ name: 'goproxy.lab.example', at: 0, addrs: ['10.5.5.5'] })],
      connections: [conn({ at: 0.01, server: '[::1]:443', synAck: null }), conn({ at: 0.31, server: '10.5.5.5:443', tls: 'ok', sni: 'goproxy.lab.example', waits: [{ after: 0.01, seconds: 0.01 }], closedAt: 0.4 })],
    }));
    expect(r.verdict).toMatchObject({ stage: 'connect', state: 'slow', address: '[::1]:443' });
    expect(r.verdict.waited).toBeCloseTo(0.3, 2);
  });
});

describe('verdict: nothing to judge', () => {
  it('an empty capture and nothing else: says there was nothing to judge, not "no stall"', () => {
    const r = decide(input({ end: 0, packets: { total: 0, undecoded: 0, linkTypes: [] } }));
    expect(r.verdict).toMatchObject({ stage: 'none', state: 'ok', summary: 'No packets, syscalls or go fetches to judge.' });
  });

  it('packets of a link type not decoded: how many, and which link type', () => {
    const r = decide(input({ end: 3, packets: { total: 53, undecoded: 53, linkTypes: [999] } }));
    expect(r.verdict.summary).toBe('53 packets could not be decoded (link type 999 is not supported): nothing to judge.');
    const zh = decide(input({ end: 3, packets: { total: 53, undecoded: 53, linkTypes: [999] } }), 'zh-CN');
    expect(zh.verdict.summary).toBe('53 个数据包无法解码（不支持链路类型 999）：没有可判断的证据。');
  });

  it('packets decoded but neither DNS nor TCP', () => {
    const r = decide(input({ end: 3, packets: { total: 7, undecoded: 0, linkTypes: [] } }));
    expect(r.verdict.summary).toMatch(/^Nothing to judge: no DNS lookup or TCP connection in the packets/);
  });

  it('evidence with no stage to time (an untimed go log whose fetches all succeeded): no stall found in it', () => {
    const r = decide(input({ end: 0, captureEnd: null, fetches: [fetch({ url: 'https://proxy.golang.org/x/@v/list', start: null, status: 200 })] }));
    expect(r.verdict).toMatchObject({ stage: 'none', state: 'ok', summary: 'No stall found in the evidence.' });
  });
});

describe('verdict: names from the capture decide nothing', () => {
  it('an unanswered ClientHello for a host with "alert" in its name gets the SNI hint, not the alert one', () => {
    const r = decide(input({ end: 15, connections: [conn({ at: 0, tls: 'no-server-hello', sni: 'proxy.alertmanager.example' })] }));
    expect(r.verdict).toMatchObject({ stage: 'tls', state: 'stalled', host: 'proxy.alertmanager.example' });
    // (After the note that nothing ties this capture to go.)
    expect(r.verdict.hints[1]).toMatch(/filtering by SNI/);
    expect(r.verdict.hints.join(' ')).not.toMatch(/SSL_CERT_FILE/);
  });

  it('a TLS alert in the handshake gets the alert hint, whatever the host is called', () => {
    const r = decide(input({ end: 2, connections: [conn({ at: 0, tls: 'alert', sni: 'goproxy.lab.test', closedAt: 0.1 })] }));
    expect(r.verdict).toMatchObject({ stage: 'tls', state: 'failed', host: 'goproxy.lab.test' });
    expect(r.verdict.hints[1]).toMatch(/SSL_CERT_FILE/);
  });

  it('a capture alone that nothing ties to go: the first hint says the hints about go may not apply', () => {
    const alone = decide(input({ end: 15, connections: [conn({ at: 0, tls: 'no-server-hello', sni: 'chat.example' })] }));
    expect(alone.verdict.confidence).toBe(0.5);
    expect(alone.verdict.hints[0]).toMatch(/^Nothing in this evidence ties the traffic to go/);
    expect(decide(input({ end: 15, connections: [conn({ at: 0, tls: 'no-server-hello', sni: 'chat.example' })] }), 'zh-CN').verdict.hints[0]).toMatch(/^证据中没有任何东西表明/);
    // A go name, a go log or a bundle's settings tie it: no such note.
    const named = decide(input({ end: 15, connections: [conn({ at: 0, tls: 'no-server-hello', sni: 'proxy.golang.org' })] }));
    expect(named.verdict.hints.join(' ')).not.toMatch(/Nothing in this evidence/);
    const logged = decide(input({
      end: 15, connections: [conn({ at: 0, tls: 'no-server-hello', sni: 'chat.example' })],
      fetches: [fetch({ url: 'https://goproxy.example/m/@v/list', start: 0.1, end: 0.2, status: 200, seconds: 0.1, line: 1 })],
    }));
    expect(logged.verdict.hints.join(' ')).not.toMatch(/Nothing in this evidence/);
    const bundled = decide(input({ end: 15, connections: [conn({ at: 0, tls: 'no-server-hello', sni: 'chat.example' })], env: { GOPROXY: 'https://goproxy.example' } }));
    expect(bundled.verdict.hints.join(' ')).not.toMatch(/Nothing in this evidence/);
  });

  it('a module proxy request for a module with /lookup/ in its path is the proxy, not the checksum database', () => {
    const r = decide(input({
      end: 30,
      connections: [conn({
        at: 0, server: '127.4.4.1:8081', tls: null,
        http: [{ after: 0.1, ttfb: null, target: '/example.com/dns/lookup/@v/v1.0.0.zip', host: '127.4.4.1:8081' }],
      })],
      fetches: [fetch({ url: 'http://127.4.4.1:8081/example.com/dns/lookup/@v/v1.0.0.zip', start: 0.1 })],
    }));
    expect(r.verdict).toMatchObject({ stage: 'proxy-response', state: 'stalled', address: '127.4.4.1:8081' });
    expect(r.verdict.hints.join(' ')).not.toMatch(/GOSUMDB/);
    // A real lookup on the same server is the checksum database.
    const sumdb = decide(input({
      end: 30,
      connections: [conn({
        at: 0, server: '127.4.4.1:8081', tls: null,
        http: [{ after: 0.1, ttfb: null, target: '/lookup/example.com/dns/lookup@v1.0.0', host: '127.4.4.1:8081' }],
      })],
    }));
    expect(sumdb.verdict).toMatchObject({ stage: 'checksum-db', state: 'stalled' });
  });
});

describe('verdict: the lookup as go lives it', () => {
  it('a search-domain expansion that times out before the bare name resolves → dns slow for the name', () => {
    const r = decide(input({
      end: 8,
      dns: [dnsTx({ name: 'goproxy.lab.example.corp.example', at: 0, latency: null, queries: [0, 1] }), dnsTx({ name: 'goproxy.lab.example', at: 2, addrs: ['10.5.5.5'] })],
      connections: [conn({ at: 2.01, server: '10.5.5.5:443', tls: 'ok', sni: 'goproxy.lab.example', waits: [{ after: 0.01, seconds: 0.02 }], closedAt: 3 })],
    }));
    expect(r.verdict).toMatchObject({ stage: 'dns', state: 'slow', host: 'goproxy.lab.example' });
    expect(r.verdict.waited).toBeCloseTo(2.01, 3);
    expect(r.verdict.summary).toMatch(/corp\.example unanswered/);
  });

  it('A answered, AAAA lost: the lookup lasts until the first connection → dns slow', () => {
    const r = decide(input({
      end: 12,
      dns: [dnsTx({ name: 'goproxy.lab.example', at: 0, addrs: ['10.5.5.5'] }), dnsTx({ name: 'goproxy.lab.example', type: 'AAAA', at: 0, latency: null, queries: [0, 5] })],
      connections: [conn({ at: 10, server: '10.5.5.5:443', tls: 'ok', sni: 'goproxy.lab.example', waits: [{ after: 0.01, seconds: 0.02 }], closedAt: 11 })],
      fetches: [fetch({ url: 'https://goproxy.lab.example/x/@v/list', start: 0, end: 10.05, status: 200, seconds: 10.05, line: 2 })],
    }));
    expect(r.verdict).toMatchObject({ stage: 'dns', state: 'slow', host: 'goproxy.lab.example' });
    expect(r.verdict.waited).toBeCloseTo(10, 3);
    // go's own "(10.05s)" is evidence for the lookup, not a slow server.
    expect(r.verdict.evidence.some((e) => e.source === 'go')).toBe(true);
    expect(r.findings.some((f) => f.stage === 'proxy-response')).toBe(false);
  });

  it('AAAA answered only when sent again: the lost send is named', () => {
    const r = decide(input({
      end: 8,
      dns: [dnsTx({ name: 'goproxy.lab.example', at: 0, addrs: ['10.5.5.5'] }), dnsTx({ name: 'goproxy.lab.example', type: 'AAAA', at: 0, latency: 5.01, queries: [0, 5] })],
      connections: [conn({ at: 5.02, server: '10.5.5.5:443', tls: 'ok', sni: 'goproxy.lab.example', waits: [{ after: 0.01, seconds: 0.02 }], closedAt: 6 })],
    }));
    expect(r.verdict).toMatchObject({ stage: 'dns', state: 'slow', host: 'goproxy.lab.example' });
    expect(r.verdict.waited).toBeCloseTo(5.02, 3);
    expect(r.verdict.summary).toMatch(/AAAA goproxy\.lab\.example sent again before its answer/);
  });

  it('DNS silent with go\'s unfinished fetch: the fetch is evidence of the dns stall, not a stall of its own', () => {
    const r = decide(input({
      end: 6,
      dns: [dnsTx({ name: 'goproxy.lab.example', at: 0.01, latency: null, queries: [0.01, 1.01, 2.01] })],
      fetches: [fetch({ url: 'https://goproxy.lab.example/x/@v/list', start: 0, line: 1 })],
      goroutines: [goroutine('connect')],
    }));
    expect(r.verdict).toMatchObject({ stage: 'dns', state: 'stalled', host: 'goproxy.lab.example', address: '127.0.0.53:53' });
    expect(r.verdict.evidence.some((e) => e.source === 'go' && e.ref === 'line 1')).toBe(true);
  });
});

describe('verdict: relevance to go', () => {
  it('a -i any capture: a browser stuck in SYN is a finding; the go stall is the verdict', () => {
    const r = decide(input({
      end: 30,
      goStart: 5,
      dns: [dnsTx({ name: 'www.blocked.example', at: 0.5, addrs: ['10.66.0.1'] }), dnsTx({ name: 'goproxy.cn', at: 5.1, addrs: ['10.7.7.7'] })],
      connections: [
        conn({ at: 0.6, server: '10.66.0.1:443', synAck: null, synRetries: 4 }),
        conn({ at: 5.2, server: '10.7.7.7:443', tls: 'no-server-hello', sni: 'goproxy.cn' }),
      ],
    }));
    expect(r.verdict).toMatchObject({ stage: 'tls', host: 'goproxy.cn' });
    expect(r.verdict.confidence).toBeGreaterThanOrEqual(0.75);
    const other = r.findings.find((f) => f.stage === 'connect');
    expect(other?.host).toBe('www.blocked.example');
    expect(other!.confidence).toBeLessThan(0.45);
  });

  it('strace sockets tie a connection to go even with no names', () => {
    const r = decide(input({
      end: 30,
      processes: [goProcess()],
      syscalls: [connectCall({ at: 1, remote: '10.8.8.8:443' })],
      connections: [
        conn({ at: 0.2, server: '10.66.0.1:443', synAck: null, synRetries: 4 }),
        conn({ at: 1, server: '10.8.8.8:443', tls: 'ok', sni: 'mod.internal', waits: [{ after: 0.01, seconds: null }] }),
      ],
    }));
    expect(r.verdict).toMatchObject({ stage: 'proxy-response', address: '10.8.8.8:443' });
    expect(r.verdict.confidence).toBeGreaterThanOrEqual(0.9);
    expect(r.findings[0].confidence).toBeLessThan(0.45);
  });

  it('IPv6 black hole with IPv4 fallback: connect slow at the v6 address, waited until the fallback', () => {
    const r = decide(input({
      end: 5,
      dns: [dnsTx({ name: 'proxy.golang.org', at: 0 }), dnsTx({ name: 'proxy.golang.org', type: 'AAAA', at: 0, addrs: ['2001:db8::1'] })],
      connections: [
        conn({ at: 0.01, server: '[2001:db8::1]:443', synAck: null, synRetries: 2 }),
        conn({ at: 0.31, server: '10.1.2.3:443', tls: 'ok', waits: [{ after: 0.01, seconds: 0.05 }], closedAt: 1 }),
      ],
    }));
    expect(r.verdict).toMatchObject({ stage: 'connect', state: 'slow', host: 'proxy.golang.org', address: '[2001:db8::1]:443' });
    expect(r.verdict.waited!).toBeCloseTo(0.3, 2);
    expect(r.verdict.summary).toMatch(/fell back/);
    expect(r.verdict.hints[0]).toMatch(/IPv6/);
  });

  it('a fallback counts only when a connection to the same host got past the stage later, not earlier or elsewhere', () => {
    const dns = [
      dnsTx({ name: 'proxy.golang.org', at: 0 }), dnsTx({ name: 'proxy.golang.org', type: 'AAAA', at: 0, addrs: ['2001:db8::1'] }),
      dnsTx({ name: 'other.example', at: 0, addrs: ['10.7.7.7'] }),
    ];
    const stuck = () => conn({ at: 0.01, server: '[2001:db8::1]:443', synAck: null, synRetries: 2 });
    const earlier = decide(input({
      end: 5, dns, connections: [conn({ at: 0.005, server: '10.1.2.3:443', tls: 'ok', waits: [{ after: 0.01, seconds: 0.05 }], closedAt: 1 }), stuck()],
    }));
    expect(earlier.verdict).toMatchObject({ stage: 'connect', state: 'stalled', address: '[2001:db8::1]:443' });
    const elsewhere = decide(input({
      end: 5, dns, connections: [stuck(), conn({ at: 0.31, server: '10.7.7.7:443', sni: 'other.example', tls: 'ok', waits: [{ after: 0.01, seconds: 0.05 }], closedAt: 1 })],
    }));
    expect(elsewhere.verdict).toMatchObject({ stage: 'connect', state: 'stalled', address: '[2001:db8::1]:443' });
    // Several stuck connections, then one that got through: each stuck one fell back to it.
    const many = decide(input({
      end: 5, dns,
      connections: [stuck(), stuck(), conn({ at: 0.6, server: '10.1.2.3:443', tls: 'ok', waits: [{ after: 0.01, seconds: 0.05 }], closedAt: 1 })],
    }));
    expect(many.verdict).toMatchObject({ stage: 'connect', state: 'slow', address: '[2001:db8::1]:443' });
    expect(many.verdict.summary).toMatch(/fell back/);
  });

  it('repeated black-holed connects to one address merge into one finding with a count', () => {
    const r = decide(input({
      end: 60,
      connections: [conn({ at: 0, server: '10.9.9.9:443', synAck: null, synRetries: 5 }), conn({ at: 30, server: '10.9.9.9:443', synAck: null, synRetries: 4 })],
    }));
    expect(r.verdict.stage).toBe('connect');
    expect(r.verdict.summary).toMatch(/2 times/);
    expect(r.verdict.since).toBe(0);
    expect(r.findings).toHaveLength(0);
  });
});

describe('verdict: go log and goroutines', () => {
  it('a fetch with no result line joins its connection and raises confidence', () => {
    const c = conn({ at: 0, tls: 'ok', sni: 'goproxy.lab.test', waits: [{ after: 0.01, seconds: null }] });
    const r = decide(input({
      end: 30,
      connections: [c],
      fetches: [fetch({ url: 'https://goproxy.lab.test/example.com/m/@v/v1.0.0.zip', start: 0.01, line: 7 })],
      goroutines: [goroutine('proxy-response')],
    }));
    expect(r.verdict).toMatchObject({ stage: 'proxy-response', state: 'stalled', host: 'goproxy.lab.test' });
    expect(r.verdict.evidence.some((e) => e.source === 'go' && e.ref === 'line 7')).toBe(true);
    expect(r.verdict.evidence.some((e) => e.ref === 'goroutine 17')).toBe(true);
  });

  it('go log only (no capture): an unfinished fetch is a stall, its error a failure at errorStage', () => {
    const r1 = decide(input({ end: 50, captureEnd: null, fetches: [fetch({ url: 'https://proxy.golang.org/x/@v/list', start: 1 })] }));
    expect(r1.verdict).toMatchObject({ stage: 'proxy-response', state: 'stalled', host: 'proxy.golang.org' });
    expect(r1.verdict.waited).toBe(49);
    const r2 = decide(input({
      end: 50, captureEnd: null,
      fetches: [fetch({ url: 'https://proxy.golang.org/x/@v/list', start: 1, end: 11, error: 'dial tcp: lookup proxy.golang.org: i/o timeout', errorStage: 'dns' })],
    }));
    expect(r2.verdict).toMatchObject({ stage: 'dns', state: 'failed' });
  });

  it('a 404 then a direct success is a recovered not-found finding', () => {
    const r = decide(input({
      end: 5, captureEnd: null,
      fetches: [fetch({ url: 'https://proxy.golang.org/corp.example/m/@v/list', start: 0, end: 0.2, status: 404, line: 2 }),
        fetch({ url: 'https://corp.example/m?go-get=1', start: 0.3, end: 0.4, status: 200, line: 4 })],
    }));
    expect(r.verdict.stage).toBe('none');
    expect(r.findings[0]).toMatchObject({ stage: 'not-found', state: 'failed' });
  });

  it('a 410 for one module while another, already in flight, succeeds is not recovered (either start order)', () => {
    // go fetches several modules at once: both `# get` lines come first, then both results. Seen in
    // the lab: which start line go prints first varies from run to run; the verdict must not.
    const greet = 'https://goproxy.lab.test/lab.example/greet/@v/v1.2.0.mod';
    const util = 'https://goproxy.lab.test/lab.example/util/@v/v0.2.0.mod';
    const giveUp = { line: 8, t: 0.054, text: `go: lab.example/greet@v1.2.0: reading ${greet}: 410 Gone`, stage: null };
    for (const [first, second] of [[greet, util], [util, greet]]) {
      for (const timed of [true, false]) {
        const at = (t: number) => (timed ? t : null);
        const r = decide(input({
          end: 1, captureEnd: null,
          fetches: [
            fetch({ url: first, start: at(0.0006), end: at(first === greet ? 0.0518 : 0.0516), status: first === greet ? 410 : 200, line: 1 }),
            fetch({ url: second, start: at(0.0008), end: at(second === greet ? 0.0518 : 0.0516), status: second === greet ? 410 : 200, line: 2 }),
          ],
          goErrors: [giveUp],
        }));
        expect(r.verdict, `${first === greet ? 'greet' : 'util'} first, ${timed ? 'timed' : 'untimed'}`).toMatchObject({ stage: 'not-found', state: 'failed', host: 'goproxy.lab.test' });
      }
    }
  });

  it('a 404 counts as got past only by a success that started after its answer, when go printed no error for it', () => {
    const list = 'https://proxy.golang.org/corp.example/m/@v/list';
    const inFlight = fetch({ url: 'https://proxy.golang.org/other.example/x/@v/v1.0.0.mod', start: 0.1, end: 0.3, status: 200, line: 3 });
    const after = fetch({ url: 'https://proxy.golang.org/corp.example/m/@latest', start: 0.25, end: 0.4, status: 200, line: 5 });
    const notFound = fetch({ url: list, start: 0, end: 0.2, status: 404, line: 2 });
    // Only a success in flight when the 404 came back: go did not get past it.
    expect(decide(input({ end: 5, captureEnd: null, fetches: [notFound, inFlight] })).verdict.stage).toBe('not-found');
    // A request made after the answer (here @latest after a missing @v/list) that succeeded: got past.
    expect(decide(input({ end: 5, captureEnd: null, fetches: [notFound, inFlight, after] })).verdict.stage).toBe('none');
    // ... unless go's own error names the URL: it gave up on it.
    const r = decide(input({ end: 5, captureEnd: null, fetches: [notFound, inFlight, after], goErrors: [{ line: 9, t: 0.5, text: `go: corp.example/m: reading ${list}: 404 Not Found`, stage: null }] }));
    expect(r.verdict).toMatchObject({ stage: 'not-found', state: 'failed' });
  });

  it('a git child reading the terminal → git-prompt stalled', () => {
    const r = decide(input({
      end: 30, captureEnd: null,
      processes: [goProcess(), { pid: 4200, ppid: 4100, command: 'git', argv: ['git', 'ls-remote', 'https://corp.example/m'], start: 1, end: null, exit: null }],
      syscalls: [{ ...lockCall({ at: 2, duration: null }), pid: 4200, command: 'git', name: 'read', kind: 'terminal-read', path: '/dev/tty', module: null, line: 99, text: 'read(3</dev/tty>,' }],
    }));
    expect(r.verdict).toMatchObject({ stage: 'git-prompt', state: 'stalled' });
    expect(r.verdict.hints.join(' ')).toMatch(/GIT_TERMINAL_PROMPT=0/);
  });
});

describe('verdict: git waiting on a credential helper', () => {
  it('git-remote-https blocked reading the pipe of a helper it just started → git-prompt stalled, host from its URL', () => {
    const procs = [
      goProcess(),
      { pid: 4200, ppid: 4100, command: 'git', argv: ['git', 'ls-remote', '-q', 'origin'], start: 1, end: null, exit: null },
      { pid: 4201, ppid: 4200, command: 'git-remote-https', argv: ['/usr/lib/git-core/git-remote-https', 'origin', 'https://git.corp.example/team/m.git'], start: 1.1, end: null, exit: null },
      { pid: 4202, ppid: 4201, command: 'askpass', argv: ['/usr/local/bin/askpass', "Username for 'https://git.corp.example': "], start: 1.5, end: null, exit: null },
    ];
    const read = (pid: number, command: string, at: number, line: number) => ({ ...lockCall({ at, duration: null }), pid, command, name: 'read', kind: 'other' as const, path: null, module: null, line, text: 'read(6<pipe:[1234]>, ' });
    const r = decide(input({ end: 30, captureEnd: null, processes: procs, syscalls: [read(4200, 'git', 1.05, 50), read(4201, 'git-remote-https', 1.51, 60)] }));
    expect(r.verdict).toMatchObject({ stage: 'git-prompt', state: 'stalled', host: 'git.corp.example' });
    expect(r.verdict.summary).toMatch(/askpass/);
    // git reading its own helper's pipe (git-remote-https) is not the prompt.
    expect(r.findings.filter((f) => f.stage === 'git-prompt')).toHaveLength(0);
  });

  it('in Chinese: what the English says (a password, askpass or host-key prompt; the helper), not "the terminal"', () => {
    const procs = [
      goProcess(),
      { pid: 4201, ppid: 4100, command: 'git-remote-https', argv: ['/usr/lib/git-core/git-remote-https', 'origin', 'https://git.corp.example/team/m.git'], start: 1.1, end: null, exit: null },
      { pid: 4202, ppid: 4201, command: 'askpass', argv: ['/usr/local/bin/askpass', 'Username:'], start: 1.5, end: null, exit: null },
    ];
    const read = { ...lockCall({ at: 1.51, duration: null }), pid: 4201, command: 'git-remote-https', name: 'read', kind: 'other' as const, path: null, module: null, line: 60, text: 'read(6<pipe:[1234]>, ' };
    const r = decide(input({ end: 30, captureEnd: null, processes: procs, syscalls: [read] }), 'zh-CN');
    expect(r.verdict.summary).toBe('git-remote-https（PID 4201，访问 git.corp.example）通过其辅助程序 /usr/local/bin/askpass Username:（PID 4202）在等待输入（密码、askpass 或主机密钥提示）已 28 秒。');
  });
});

describe('verdict: hints for a host go fetches directly with git', () => {
  const silent = (host: string) => conn({ at: 0, server: '10.7.7.7:443', tls: 'ok', sni: host, waits: [{ after: 0.01, seconds: null }] });
  const goproxyAdvice = /take \S+ out of GOPROXY|GOPROXY=https:\/\/goproxy\.cn/;

  it('GOPRIVATE matches the host (GOPROXY=off): its reachability, git credentials, GOPRIVATE scope; no GOPROXY advice', () => {
    const r = decide(input({ end: 10, connections: [silent('git.corp.example')], env: { GOPROXY: 'off', GOPRIVATE: '*.corp.example' } }));
    expect(r.verdict).toMatchObject({ stage: 'proxy-response', state: 'stalled', host: 'git.corp.example' });
    const hints = r.verdict.hints.join(' ');
    expect(hints).not.toMatch(goproxyAdvice);
    expect(hints).toMatch(/check that git\.corp\.example is reachable/);
    expect(hints).toMatch(/GIT_TERMINAL_PROMPT=0/);
    expect(hints).toMatch(/matches GOPRIVATE/);
  });

  it('GOPROXY=direct: a mirror could serve the module', () => {
    const r = decide(input({ end: 10, connections: [silent('github.com')], env: { GOPROXY: 'direct' } }));
    expect(r.verdict.hints.join(' ')).not.toMatch(/take \S+ out of GOPROXY/);
    expect(r.verdict.hints).toContain(decide(input({ end: 10, connections: [silent('proxy.example')] })).verdict.hints.find((h) => h.startsWith('Use a module mirror')));
  });

  it('a git process connected (strace) although GOPROXY has a proxy: go fell back to direct; GOPRIVATE for a private module', () => {
    const r = decide(input({
      end: 10, connections: [silent('git.corp.example')], env: { GOPROXY: 'https://goproxy.cn,direct' },
      processes: [goProcess(), { pid: 4201, ppid: 4100, command: 'git-remote-https', argv: ['git-remote-https', 'origin', 'https://git.corp.example/m.git'], start: 0, end: null, exit: null }],
      syscalls: [{ ...connectCall({ at: 0, remote: '10.7.7.7:443' }), pid: 4201, command: 'git-remote-https' }],
    }));
    const hints = r.verdict.hints.join(' ');
    expect(hints).not.toMatch(goproxyAdvice);
    expect(hints).toMatch(/GIT_TERMINAL_PROMPT=0/);
    expect(hints).toMatch(/set GOPRIVATE=your\.host/);
  });

  it('through a GOPROXY mirror: the GOPROXY advice stays', () => {
    const r = decide(input({ end: 10, connections: [silent('goproxy.corp.example')], env: { GOPROXY: 'https://goproxy.corp.example,direct', GOPRIVATE: 'git.corp.example' } }));
    expect(r.verdict.hints.join(' ')).toMatch(/take goproxy\.corp\.example out of GOPROXY/);
  });
});

describe('verdict: language', () => {
  it('zh-CN summaries and hints', () => {
    const r = decide(input({ end: 15, connections: [conn({ at: 0, tls: 'no-server-hello' })] }), 'zh-CN');
    expect(r.verdict.summary).toMatch(/TLS 握手/);
    expect(r.verdict.hints.join('')).toMatch(/goproxy\.cn,direct/);
    expect(r.verdict.hints.join('')).toMatch(/[\u4e00-\u9fff]/);
  });
});

describe('verdict: zh-CN summaries are Chinese throughout', () => {
  const zh = (o: Parameters<typeof input>[0]) => decide(input(o), 'zh-CN').verdict.summary;
  /** English words from the stage details and joins, which a Chinese sentence must not carry. */
  const ENGLISH = /\b(?:sent|no response|unanswered|resolved|bytes|body|still arriving|reset by|through its helper|waiting for|after)\b/;

  it.each([
    ['a trickling body', { end: 30, connections: [conn({ at: 0, tls: null, server: '127.4.4.1:8081', http: [{ after: 0.01, ttfb: 0.01, body: null, contentLength: 100000, bodyBytes: 300 }], serverDataUntil: 29.8 })] },
      '从 127.4.4.1:8081 的下载很慢：30.0 秒后收到 100000 字节中的 300 字节正文，仍在接收。'],
    ['a body that stops', { end: 30, connections: [conn({ at: 0, tls: null, server: '127.4.4.1:8081', http: [{ after: 0.01, ttfb: 0.01, body: null, contentLength: 100000, bodyBytes: 300 }], serverDataUntil: 2 })] },
      '从 127.4.4.1:8081 的下载极慢：30.0 秒后收到 100000 字节中的 300 字节正文，之后 28.0 秒没有数据。'],
    ['a TLS reset', { end: 2, connections: [conn({ at: 0, tls: 'reset', sni: 'goproxy.lab.test' })] },
      '与 goproxy.lab.test 的 TLS 握手失败：服务器在 ClientHello（SNI goproxy.lab.test）之后重置了连接。'],
    ['an unanswered AAAA before the name resolved', {
      end: 12,
      dns: [dnsTx({ name: 'proxy.golang.org', type: 'AAAA', at: 0, latency: null, queries: [0, 5] }), dnsTx({ name: 'proxy.golang.org', at: 0, latency: 10 })],
    }, 'proxy.golang.org 的 DNS 解析用了 10 秒。（域名解析成功之前，AAAA proxy.golang.org 没有得到回答）'],
    ['the module cache lock', { end: 20, captureEnd: null, syscalls: [lockCall({ at: 1, duration: null, path: '/m/cache/download/x/@v/v1.lock', module: 'x@v1' })], processes: [goProcess()] },
      'go 等待 x@v1 的模块缓存锁（/m/cache/download/x/@v/v1.lock）已 19 秒：另一个进程持有该锁。'],
  ] as const)('%s', (_, o, want) => {
    const got = zh(o as Parameters<typeof input>[0]);
    expect(got).toBe(want);
    expect(got).not.toMatch(ENGLISH);
  });

  it('a note cut short: a space between the Chinese and a Latin stage name, none before a Chinese one', () => {
    const tls = decide(input({ end: 10, connections: [conn({ at: 9.99, tls: 'no-server-hello', sni: 'proxy.golang.org' })] }), 'zh-CN');
    expect(tls.findings.find((f) => f.stage === 'tls')!.summary).toMatch(/^证据在 proxy\.golang\.org 的 TLS 握手开始 0\.\d\d 秒后就结束了/);
    const wait = decide(input({ end: 10, connections: [conn({ at: 9.8, tls: 'ok', sni: 'proxy.golang.org', waits: [{ after: 0.1, seconds: null }] })] }), 'zh-CN');
    expect(wait.findings.find((f) => f.stage === 'proxy-response')!.summary).toMatch(/^证据在 proxy\.golang\.org 的等待服务器响应开始/);
  });

  it('other programs\' stalls: the hint says so in Chinese, without the English word "findings"', () => {
    const r = decide(input({
      end: 20,
      processes: [goProcess(), { pid: 5000, ppid: 1, command: 'chrome', argv: ['chrome'], start: 0, end: null, exit: null }],
      syscalls: [connectCall({ at: 0, remote: '10.1.1.1:443' }), { ...connectCall({ at: 0, remote: '10.2.2.2:443' }), pid: 5000, command: 'chrome' }],
      connections: [conn({ at: 0, server: '10.1.1.1:443', synAck: null, synRetries: 3 }), conn({ at: 0, server: '10.2.2.2:443', synAck: null, synRetries: 3 })],
    }), 'zh-CN');
    expect(r.verdict.hints).toContain('其他程序的卡住连接列在发现列表中，它们不影响 go 的下载。');
  });

  it('the URL go waits for: （等待 URL）, in place of the same path, not a second colon', () => {
    const url = 'http://127.4.4.1:8081/example.com/b/@v/v1.0.0.zip';
    const plain = zh({
      end: 30, captureEnd: 30,
      connections: [conn({ at: 0, server: '127.4.4.1:8081', tls: null, http: [{ after: 0.1, ttfb: null, target: '/example.com/b/@v/v1.0.0.zip', host: '127.4.4.1:8081' }] })],
      fetches: [fetch({ url, start: 0.1, host: '127.4.4.1:8081' })],
    });
    expect(plain).toBe(`127.4.4.1 收到了请求，但 30 秒没有任何响应（等待 ${url}）。`);
    const blackholed = zh({
      end: 20, connections: [conn({ at: 0.01, server: '10.9.9.9:443', synAck: null, synRetries: 4 })],
      fetches: [fetch({ url: 'https://10.9.9.9/m/@v/list', start: 0, host: '10.9.9.9' })],
    });
    expect(blackholed).toMatch(/SYN 被丢弃（等待 https:\/\/10\.9\.9\.9\/m\/@v\/list）。$/);
  });
});

describe("verdict: go's own error", () => {
  const malformed = 'go: example.com/x.@v1.0.0: malformed module path "example.com/x.": trailing dot in path element';
  const ownError = (line: number, text = malformed) => ({ line, t: null, text, stage: null });
  const healthy = () => ({
    dns: [dnsTx({ name: 'proxy.golang.org', at: 0, latency: 0.02 })],
    connections: [conn({ at: 0.05, tls: 'ok', waits: [{ after: 0.01, seconds: 0.2 }], closedAt: 2.5 })],
  });

  it('an error that points at no stage, with no network stall: unknown / failed, quoting the line', () => {
    const r = decide(input({ end: 3, ...healthy(), goErrors: [ownError(7)] }));
    expect(r.verdict).toMatchObject({ stage: 'unknown', state: 'failed', confidence: 0.9 });
    expect(r.verdict.summary).toBe(`go failed with an error of its own, and the evidence shows no network stall or failure: the cause is go's input (module path, version, go.mod), not the network. go said: ${malformed}`);
    expect(r.verdict.evidence).toEqual([{ source: 'go', ref: 'line 7', text: malformed }]);
    expect(r.verdict.hints).toEqual([expect.stringMatching(/^Read go's error and fix what it names/)]);
  });

  it('`go: errors parsing go.mod:` is quoted with the line after it; a long line is cut', () => {
    const r = decide(input({ end: 3, goErrors: [ownError(1, 'go: errors parsing go.mod:'), ownError(2, '/src/m/go.mod:5: unknown directive: foo')] }));
    expect(r.verdict.summary).toMatch(/go said: go: errors parsing go\.mod: \/src\/m\/go\.mod:5: unknown directive: foo$/);
    const long = decide(input({ end: 3, goErrors: [ownError(1, `go: ${'x'.repeat(400)}: invalid`)] }));
    expect(long.verdict.summary).toMatch(/go said: go: x{295}…$/);
  });

  it('in Chinese with --lang zh-CN', () => {
    const r = decide(input({ end: 3, goErrors: [ownError(7)] }), 'zh-CN');
    expect(r.verdict.summary).toBe(`go 因自身的错误而失败，证据中没有网络卡住或失败：原因在 go 的输入（模块路径、版本、go.mod），而不是网络。go 的输出：${malformed}`);
    expect(r.verdict.hints[0]).toMatch(/^阅读 go 的报错/);
  });

  it('no go.mod where go ran (go 1.19.8): the cause is where go ran, the hint says where to run it', () => {
    const line = "go: no modules specified (see 'go help mod download')";
    const r = decide(input({ end: 1, goErrors: [ownError(1, line)], goExit: { code: 1 } }));
    expect(r.verdict).toMatchObject({ stage: 'unknown', state: 'failed' });
    expect(r.verdict.summary).toBe(`go failed with an error of its own, and the evidence shows no network stall or failure: the cause is where go ran (no go.mod there or above), not the network. go said: ${line}`);
    expect(r.verdict.hints).toEqual([expect.stringMatching(/^go found no go\.mod in the folder it ran in or any folder above it: run it in your module's folder/)]);
    const zh = decide(input({ end: 1, goErrors: [ownError(1, line)], goExit: { code: 1 } }), 'zh-CN');
    expect(zh.verdict.summary).toBe(`go 因自身的错误而失败，证据中没有网络卡住或失败：原因在 go 运行的位置（该目录及上级目录中没有 go.mod），而不是网络。go 的输出：${line}`);
    expect(zh.verdict.hints).toEqual([expect.stringMatching(/^go 在运行目录及其上级目录中都没有找到 go\.mod/)]);
  });

  it('a go command or flag go does not know (go 1.19.8): the hint says to check the command line, not the module', () => {
    for (const line of ['go nosuchcmd: unknown command', 'flag provided but not defined: -nosuchflag', 'go: parsing $GOFLAGS: unknown flag -nosuchflag']) {
      const r = decide(input({ end: 1, goErrors: [ownError(1, line)], goExit: { code: 2 } }));
      expect(r.verdict).toMatchObject({ stage: 'unknown', state: 'failed' });
      expect(r.verdict.summary).toBe(`go failed with an error of its own, and the evidence shows no network stall or failure: the cause is go's command line (a command or flag go does not know), not the network. go said: ${line}`);
      expect(r.verdict.hints).toEqual(["go does not know a command or flag it was given: check the go command line (for record, what follows --) and GOFLAGS (go env GOFLAGS); go help mod download lists that command's flags."]);
    }
    const zh = decide(input({ end: 1, goErrors: [ownError(1, 'go nosuchcmd: unknown command')] }), 'zh-CN');
    expect(zh.verdict.summary).toMatch(/：原因在 go 的命令行（go 不认识的命令或参数），而不是网络。go 的输出：go nosuchcmd: unknown command$/);
    expect(zh.verdict.hints).toEqual([expect.stringMatching(/^go 不认识传给它的某个命令或参数：检查 go 的命令行/)]);
  });

  it('a go setting (GOPROXY=off, go 1.19.8): the cause is the setting, and the hint does not say GOPROXY will not help', () => {
    const line = 'go: example.com/dep@v1.0.0: module lookup disabled by GOPROXY=off';
    const r = decide(input({ end: 1, goErrors: [ownError(1, line)], goExit: { code: 1 } }));
    expect(r.verdict.summary).toBe(`go failed with an error of its own, and the evidence shows no network stall or failure: the cause is go's settings (GOPROXY, GO111MODULE), not the network. go said: ${line}`);
    expect(r.verdict.hints).toEqual([expect.stringMatching(/^A go setting forbids or breaks what go was asked to do .*GOPROXY=off allows only what the module cache already holds\.$/)]);
    expect(decide(input({ end: 1, goErrors: [ownError(1, line)] }), 'zh-CN').verdict.hints).toEqual([expect.stringMatching(/^go 的某个设置禁止或破坏了所要求的操作/)]);
  });

  it('a network stall or failure still wins; a slow stage does not', () => {
    const stalled = decide(input({ end: 20, connections: [conn({ at: 0, server: '10.9.9.9:443', synAck: null, synRetries: 3 })], goErrors: [ownError(7)] }));
    expect(stalled.verdict).toMatchObject({ stage: 'connect', state: 'stalled' });
    const refused = decide(input({ end: 2, connections: [conn({ at: 0, refused: true })], goErrors: [ownError(7)] }));
    expect(refused.verdict).toMatchObject({ stage: 'connect', state: 'failed' });
    const slow = decide(input({ end: 3, dns: [dnsTx({ name: 'proxy.golang.org', at: 0, latency: 1.5 })], goErrors: [ownError(7)] }));
    expect(slow.verdict).toMatchObject({ stage: 'unknown', state: 'failed' });
    expect(slow.findings).toEqual([expect.objectContaining({ stage: 'dns', state: 'slow' })]);
  });

  it('a classified error keeps its verdict (404: not-found)', () => {
    const url = 'https://proxy.golang.org/corp.example/m/@v/list';
    const r = decide(input({
      end: 1, captureEnd: null, fetches: [fetch({ url, start: 0, end: 0.2, status: 404, line: 1 })],
      goErrors: [{ line: 2, t: null, text: `go: corp.example/m@v1.0.0: reading ${url}: 404 Not Found`, stage: 'not-found' }],
    }));
    expect(r.verdict).toMatchObject({ stage: 'not-found', state: 'failed', host: 'proxy.golang.org' });
    expect(r.findings).toEqual([]);
  });

  it("meta.json's exit status: non-zero alone is go's failure; 0 or stopped by record is not", () => {
    const exited = decide(input({ end: 3, ...healthy(), goExit: { code: 1 } }));
    expect(exited.verdict).toMatchObject({ stage: 'unknown', state: 'failed', evidence: [{ source: 'go', ref: 'meta.json', text: 'go exited with status 1' }] });
    expect(exited.verdict.summary).toMatch(/^go exited with status 1, and the evidence shows no network stall or failure/);
    const withLine = decide(input({ end: 3, goErrors: [ownError(7)], goExit: { code: 1 } }));
    expect(withLine.verdict.evidence.map((e) => e.ref)).toEqual(['line 7', 'meta.json']);
    for (const goExit of [{ code: 0 }, { code: null }]) {
      expect(decide(input({ end: 3, ...healthy(), goErrors: [ownError(7)], goExit })).verdict).toMatchObject({ stage: 'none', state: 'ok' });
    }
  });

  it('a healthy run with no go error is still ok', () => {
    expect(decide(input({ end: 3, ...healthy() })).verdict).toMatchObject({ stage: 'none', state: 'ok' });
    expect(decide(input({ end: 3, ...healthy(), goExit: { code: 0 } })).verdict).toMatchObject({ stage: 'none', state: 'ok' });
  });
});

describe("verdict: go's resolver (GODEBUG=netdns=2)", () => {
  const silent = () => [
    dnsTx({ name: 'goproxy.cn', at: 0.1, latency: null, queries: [0.1, 5.1], server: '127.0.0.53:53' }),
  ];

  it('names the resolver order go chose in the DNS evidence', () => {
    const r = decide(input({ end: 12, dns: silent(), lookups: [{ t: 0.09, host: 'goproxy.cn', order: 'files,dns', line: 4 }] }));
    expect(r.verdict.stage).toBe('dns');
    const ev = r.verdict.evidence.find((e) => e.ref === 'line 4');
    expect(ev?.text).toBe("go looked up goproxy.cn with order files,dns (go's own resolver: /etc/hosts, then resolv.conf's servers)");
    expect(r.verdict.hints.join(' ')).toMatch(/GODEBUG=netdns=go \(pure Go/);
  });

  it('with the cgo resolver, the first hint is about the system resolver', () => {
    const r = decide(input({ end: 12, dns: silent(), lookups: [{ t: 0.09, host: 'GoProxy.cn.', order: 'cgo', line: 7 }] }));
    expect(r.verdict.evidence.some((e) => /order cgo \(the C library's resolver/.test(e.text))).toBe(true);
    expect(r.verdict.hints[0]).toMatch(/system \(cgo\) resolver for GoProxy\.cn\..*resolvectl query/);
    expect(r.verdict.hints.some((h) => /Switch go's resolver to compare/.test(h))).toBe(false);
  });

  it('a lookup of another name changes nothing', () => {
    const r = decide(input({ end: 12, dns: silent(), lookups: [{ t: 0.09, host: 'sum.golang.org', order: 'cgo', line: 7 }] }));
    expect(r.verdict.evidence.some((e) => e.ref === 'line 7')).toBe(false);
  });
});

describe('verdict: a cache lock seen only in the goroutine dump (no strace)', () => {
  const LOCK = '/home/u/go/pkg/mod/cache/download/github.com/!azure/go-autorest/@v/v14.2.0+incompatible.lock';

  it('names the lock the other process held, its module and holder, and the wait since go last made progress', () => {
    const r = decide(input({
      end: 40, goStart: 0,
      fetches: [fetch({ url: 'https://proxy.golang.org/github.com/x/y/@v/list', start: 0.5, end: 0.9, status: 200, seconds: 0.4, line: 2 })],
      goroutines: [goroutine('cache-lock', null)],
      lockHolders: [{ path: LOCK, pid: 4242, command: 'go' }],
    }));
    expect(r.verdict).toMatchObject({ stage: 'cache-lock', state: 'stalled', path: LOCK });
    expect(r.verdict.waited).toBeCloseTo(39.1, 5);
    expect(r.verdict.summary).toContain('github.com/Azure/go-autorest@v14.2.0+incompatible');
    expect(r.verdict.hints[0]).toMatch(/PID 4242/);
    expect(r.verdict.evidence.map((e) => e.ref)).toEqual(['goroutine 17', 'meta']);
  });

  it('without a goroutine in the lock, a held lock alone is no verdict', () => {
    const r = decide(input({ end: 40, lockHolders: [{ path: LOCK, pid: 4242, command: 'go' }] }));
    expect(r.verdict.stage).toBe('none');
  });
});
