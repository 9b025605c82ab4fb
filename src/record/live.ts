/**
 * Incremental analysis of the growing capture for the live progress line: the capture reader in
 * follow mode (src/capture/reader.ts) feeds its packets to a ConversationBuilder
 * (src/protocols/conversations.ts), whose snapshot() says what is in flight. The capture is read
 * once, as it grows — never re-read.
 */
import { readCapture } from '../capture/reader.js';
import { ConversationBuilder } from '../protocols/conversations.js';
import type { DnsTransactionRecord, ConnectionRecord } from '../report/schema.js';

interface ConversationsLike {
  t0: number | null;
  dns: DnsTransactionRecord[];
  connections: ConnectionRecord[];
  end: number | null;
}

export interface LiveState {
  dnsInFlight: number;
  connectionsInFlight: number;
  /** e.g. "12 s waiting for a ServerHello from 1.2.3.4:443". */
  suspicion: string | null;
}

export class LiveAnalysis {
  private builder: ConversationBuilder | null = null;
  private readonly controller = new AbortController();
  private running: Promise<unknown> | null = null;

  start(file: string): void {
    const builder = new ConversationBuilder();
    this.builder = builder;
    this.running = readCapture(file, (p) => {
      try {
        builder.addRaw(p);
      } catch {
        /* progress is best effort; the analysis afterwards reports bad packets */
      }
    }, { follow: true, signal: this.controller.signal }).catch(() => undefined);
  }

  /** Current state, with times measured against `nowEpoch`. */
  state(nowEpoch: number): LiveState | null {
    if (!this.builder) return null;
    try {
      return summarize(this.builder.snapshot(), nowEpoch);
    } catch {
      return null;
    }
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await this.running;
  }
}

/** What is in flight and what looks stuck, from a conversations snapshot. */
export function summarize(c: ConversationsLike, nowEpoch: number): LiveState {
  const t0 = c.t0 ?? nowEpoch;
  const now = nowEpoch - t0;
  const dnsOpen = c.dns.filter((d) => d.response === null);
  const open = c.connections.filter((x) => x.closed === null && x.reset === null);
  let suspicion: { since: number; text: string } | null = null;
  const consider = (since: number, text: string): void => {
    if (!suspicion || since < suspicion.since) suspicion = { since, text };
  };
  for (const d of dnsOpen) consider(d.queries[0], `waiting for a DNS answer for ${d.name} (${d.type}) from ${d.server}`);
  for (const x of open) {
    if (x.synAck === null && x.established === null && x.syns.length > 0) consider(x.syns[0], `waiting for a SYN-ACK from ${x.server} (${x.syns.length} SYN${x.syns.length > 1 ? 's' : ''} sent)`);
    else if (x.proxyConnect && x.proxyConnect.response === null) consider(x.proxyConnect.request, `waiting for the proxy ${x.server} to answer CONNECT ${x.proxyConnect.target}`);
    else if (x.tls && x.tls.serverHello === null) consider(x.tls.clientHello, `waiting for a ServerHello from ${x.server}${x.tls.sni ? ` (${x.tls.sni})` : ''}`);
    else {
      const w = x.waits[x.waits.length - 1];
      if (w && w.firstByte === null) consider(w.request, `waiting for a response from ${x.server}${x.tls?.sni ? ` (${x.tls.sni})` : ''}`);
    }
  }
  const s = suspicion as { since: number; text: string } | null;
  return {
    dnsInFlight: dnsOpen.length,
    connectionsInFlight: open.filter((x) => x.established === null || (x.tls !== null && x.tls.established === null)).length,
    suspicion: s && now - s.since >= 1 ? `${Math.round(now - s.since)} s ${s.text}` : null,
  };
}
