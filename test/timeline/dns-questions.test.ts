/**
 * DNS questions other than go's A and AAAA, the root, a query the client asked again, and a
 * quick answer used late: each capture is written by the test (UDP queries and their answers,
 * a TCP connection) and analyzed whole.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type dnsPacket from 'dns-packet';
import { analyze } from '../../src/timeline/analyze.js';
import { CaptureBuilder } from '../share/build.js';
import { dnsQuery, dnsResponse, text } from '../protocols/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'gomod-trace-dnsq-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CLIENT = '10.0.0.2';
const RESOLVER = '10.0.0.53';

interface Exchange {
  name: string;
  type: dnsPacket.RecordType;
  rcode?: number;
  answers?: dnsPacket.Answer[];
  edns?: boolean;
  client?: string;
  port?: number;
}

let id = 0;
async function analyzeExchanges(file: string, exchanges: Array<Exchange | ((b: CaptureBuilder) => void)>) {
  const b = new CaptureBuilder();
  for (const x of exchanges) {
    if (typeof x === 'function') { x(b); continue; }
    const client = x.client ?? CLIENT;
    const port = x.port ?? 40000 + id;
    id += 1;
    b.udp(client, port, RESOLVER, 53, dnsQuery(id, x.name, x.type));
    b.udp(RESOLVER, 53, client, port, dnsResponse(id, x.name, { type: x.type, rcode: x.rcode, answers: x.answers, edns: x.edns }));
  }
  const path = join(dir, `${file}.pcap`);
  writeFileSync(path, b.pcap());
  return analyze({ capture: path });
}

describe('answered NOERROR, a question that is not A or AAAA', () => {
  const cases: Array<[string, Exchange]> = [
    ['TXT', { name: 'sel._domainkey.mail.example', type: 'TXT', answers: [{ type: 'TXT', name: 'sel._domainkey.mail.example', data: 'v=DKIM1; p=AAAA' }] }],
    ['NS', { name: 'example.org', type: 'NS', answers: [{ type: 'NS', name: 'example.org', data: 'ns1.example.org' }] }],
    ['PTR', { name: '9.9.9.10.in-addr.arpa', type: 'PTR', answers: [{ type: 'PTR', name: '9.9.9.10.in-addr.arpa', data: 'host.example.org' }] }],
  ];
  for (const [type, x] of cases) {
    it(`${type}: answered, no DNS finding`, async () => {
      const r = await analyzeExchanges(`noerror-${type}`, [x]);
      expect(r.verdict).toMatchObject({ stage: 'none', state: 'ok' });
      expect(r.findings.filter((f) => f.stage === 'dns')).toEqual([]);
    });
  }
});

describe('answered NOERROR, an A question', () => {
  it('with a CNAME but no address: the name has none, dns failed', async () => {
    const r = await analyzeExchanges('noerror-a-cname', [
      { name: 'goproxy.example', type: 'A', answers: [{ type: 'CNAME', name: 'goproxy.example', data: 'edge.example' }] },
    ]);
    expect(r.verdict).toMatchObject({ stage: 'dns', state: 'failed', host: 'goproxy.example' });
    expect(r.verdict.summary).toBe('DNS lookup of goproxy.example failed: NOERROR from 10.0.0.53:53.');
  });
});

describe('the root', () => {
  it('is shown as "."', async () => {
    const r = await analyzeExchanges('root-servfail', [{ name: '.', type: 'NS', rcode: 2 }]);
    expect(r.verdict).toMatchObject({ stage: 'dns', state: 'failed', host: '.' });
    expect(r.verdict.summary).toBe('DNS lookup of . failed: SERVFAIL from 10.0.0.53:53.');
  });
});

describe('a failed query the client asked again', () => {
  const badCookie: Exchange = { name: '.', type: 'SOA', rcode: 23, edns: true };
  const answered: Exchange = {
    name: '.', type: 'SOA', edns: true,
    answers: [{ type: 'SOA', name: '.', data: { mname: 'a.root-servers.example', rname: 'nstld.example', serial: 1, refresh: 1800, retry: 900, expire: 604800, minimum: 86400 } }],
  };

  it('BADCOOKIE, then NOERROR with an answer from another port: recovered, not the verdict', async () => {
    const r = await analyzeExchanges('badcookie-retry', [badCookie, answered]);
    expect(r.verdict).toMatchObject({ stage: 'none', state: 'ok' });
    expect(r.findings).toContainEqual(expect.objectContaining({
      stage: 'dns', state: 'failed', host: '.', summary: '(recovered) DNS lookup of . failed: BADCOOKIE from 10.0.0.53:53.',
    }));
  });

  it('answered for another client only: still failed', async () => {
    const r = await analyzeExchanges('badcookie-other-client', [badCookie, { ...answered, client: '10.0.0.3' }]);
    expect(r.verdict).toMatchObject({ stage: 'dns', state: 'failed', host: '.' });
  });
});

describe('a quick answer, a connection long after it', () => {
  it('to the address, after another lookup 6 s later: no slow DNS', async () => {
    const a = (name: string, address: string): Exchange => ({ name, type: 'A', answers: [{ type: 'A', name, data: address }] });
    const r = await analyzeExchanges('late-connection', [
      a('auth.app.example', '10.9.9.9'),
      (b) => b.idle(6),
      a('other.app.example', '10.9.9.10'),
      (b) => b.tcp(CLIENT, 50000, '10.9.9.9', 80).open().send(true, text('GET / HTTP/1.1\r\nHost: auth.app.example\r\n\r\n'))
        .send(false, text('HTTP/1.1 204 No Content\r\n\r\n')).close(),
    ]);
    expect(r.verdict).toMatchObject({ stage: 'none', state: 'ok' });
    expect(r.findings.filter((f) => f.stage === 'dns')).toEqual([]);
  });
});
