/**
 * The lab DNS server (UDP, dns-packet) on a loopback address, port 53 by default (needs root or
 * CAP_NET_BIND_SERVICE). Answers A/AAAA for lab names; anything else gets NXDOMAIN. Faults, per
 * name or for all: silent, slow (delay), NXDOMAIN, SERVFAIL, AAAA lost (A answered).
 */
import { createSocket, type RemoteInfo } from 'node:dgram';
import dnsPacket from 'dns-packet';
import { assertLoopback, hostPort } from './address.js';

export type DnsFault =
  | { kind: 'silent' }
  | { kind: 'slow'; ms: number }
  | { kind: 'nxdomain' }
  | { kind: 'servfail' }
  /** A answered; AAAA queries get no answer at all. */
  | { kind: 'aaaa-lost' };

export interface DnsRecords {
  a?: string[];
  aaaa?: string[];
}

export interface DnsServerOptions {
  host: string;
  port?: number;
  /** name (lower case, no trailing dot) → addresses */
  records: Record<string, DnsRecords>;
  /** Faults by name; `*.suffix` applies to names under suffix; '*' to every name without its own entry. */
  faults?: Record<string, DnsFault>;
  ttl?: number;
}

export interface DnsQueryLog {
  /** ms since start */
  t: number;
  id: number;
  name: string;
  type: string;
  from: string;
  /** 'NOERROR' | 'NXDOMAIN' | 'SERVFAIL' when answered; null when left unanswered (so far). */
  rcode: string | null;
  answers: number;
}

export interface DnsServer {
  host: string;
  port: number;
  address: string;
  queries: DnsQueryLog[];
  /** Change records or faults while running. */
  set(name: string, records: DnsRecords): void;
  setFault(name: string, fault: DnsFault | null): void;
  close(): Promise<void>;
}

const RCODE = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3 } as const;

export async function startDnsServer(opts: DnsServerOptions): Promise<DnsServer> {
  assertLoopback(opts.host);
  const records = new Map<string, DnsRecords>(Object.entries(opts.records).map(([k, v]) => [norm(k), v]));
  const faults = new Map<string, DnsFault>(Object.entries(opts.faults ?? {}).map(([k, v]) => [k.startsWith('*') ? k.toLowerCase().replace(/\.$/, '') : norm(k), v]));
  const ttl = opts.ttl ?? 5;
  const started = Date.now();
  const queries: DnsQueryLog[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const sock = createSocket({ type: opts.host.includes(':') ? 'udp6' : 'udp4', reuseAddr: false });

  /** Exact name first, then the longest `*.suffix` entry that matches, then `*`. */
  const faultFor = (name: string): DnsFault | undefined => {
    const exact = faults.get(name);
    if (exact) return exact;
    let best: { len: number; f: DnsFault } | null = null;
    for (const [k, f] of faults) {
      if (k.startsWith('*.') && name.endsWith(k.slice(1)) && (!best || k.length > best.len)) best = { len: k.length, f };
    }
    return best?.f ?? faults.get('*');
  };

  sock.on('message', (msg: Buffer, rinfo: RemoteInfo) => {
    let q: dnsPacket.Packet;
    try {
      q = dnsPacket.decode(msg);
    } catch {
      return; // not DNS: drop, as a server would
    }
    const question = q.questions?.[0];
    if (!question || q.type === 'response') return;
    const name = norm(question.name);
    const entry: DnsQueryLog = {
      t: Date.now() - started, id: q.id ?? 0, name, type: question.type,
      from: hostPort(rinfo.address, rinfo.port), rcode: null, answers: 0,
    };
    queries.push(entry);
    const fault = faultFor(name);
    if (fault?.kind === 'silent') return;
    if (fault?.kind === 'aaaa-lost' && question.type === 'AAAA') return;

    let rcode: keyof typeof RCODE = 'NOERROR';
    const answers: dnsPacket.Answer[] = [];
    const rec = records.get(name);
    if (fault?.kind === 'nxdomain' || (!rec && fault?.kind !== 'servfail')) rcode = 'NXDOMAIN';
    else if (fault?.kind === 'servfail') rcode = 'SERVFAIL';
    else if (rec && (question.type === 'A' || question.type === 'AAAA')) {
      for (const ip of (question.type === 'A' ? rec.a : rec.aaaa) ?? []) {
        answers.push({ type: question.type, name: question.name, class: 'IN', ttl, data: ip });
      }
    }
    const reply = dnsPacket.encode({
      type: 'response', id: q.id,
      flags: dnsPacket.AUTHORITATIVE_ANSWER | dnsPacket.RECURSION_AVAILABLE |
        ((q.flags ?? 0) & dnsPacket.RECURSION_DESIRED) | RCODE[rcode],
      questions: [question], answers,
    });
    const send = () => {
      entry.rcode = rcode;
      entry.answers = answers.length;
      sock.send(reply, rinfo.port, rinfo.address);
    };
    if (fault?.kind === 'slow') {
      const t = setTimeout(() => { timers.delete(t); send(); }, fault.ms);
      timers.add(t);
    } else send();
  });

  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject);
    sock.bind({ address: opts.host, port: opts.port ?? 53, exclusive: true }, () => { sock.off('error', reject); resolve(); });
  });
  sock.on('error', () => { /* a send to a vanished client: ignore */ });
  const port = sock.address().port;
  return {
    host: opts.host,
    port,
    address: hostPort(opts.host, port),
    queries,
    set(name, r) { records.set(norm(name), r); },
    setFault(name, f) {
      const k = name.startsWith('*') ? name.toLowerCase().replace(/\.$/, '') : norm(name);
      if (f) faults.set(k, f); else faults.delete(k);
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await new Promise<void>((resolve) => sock.close(() => resolve()));
    },
  };
}

function norm(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}
