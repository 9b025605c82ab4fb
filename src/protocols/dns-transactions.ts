import type { DnsTransactionRecord } from '../report/schema.js';
import type { DnsMessage } from './dns.js';
import { dnsRcodeName } from './dns-names.js';

/** Per-transaction bound on kept query times and frames (a flood of re-sends stays small). */
const MAX_SENDS = 64;

interface Txn {
  rec: DnsTransactionRecord;
  idKey: string;
  /** Key in `open` ('' when not open). */
  key: string;
}

/**
 * Matches DNS queries to responses: same transport, client and server endpoints, message id and
 * question (name compared case-insensitively, type). A query re-sent with the same id and question
 * while unanswered is the same transaction (every send time kept; latency from the first). A
 * response without a question matches the oldest open query with its endpoints and id. A response
 * with no query becomes a transaction with no query times (the capture began mid-lookup).
 */
export class DnsTransactions {
  private readonly list: DnsTransactionRecord[] = [];
  private readonly open = new Map<string, Txn>();
  private readonly openById = new Map<string, Txn[]>();
  duplicateResponses = 0;

  constructor(
    private readonly max = 200_000,
    private readonly onLimit: (t: number, frame: number) => void = () => undefined,
  ) {}

  query(msg: DnsMessage, client: string, server: string, transport: 'udp' | 'tcp', t: number, frame: number): void {
    const idKey = `${transport}|${client}|${server}|${msg.id}`;
    const key = `${idKey}|${questionKey(msg)}`;
    const found = this.open.get(key);
    if (found) {
      if (found.rec.queries.length < MAX_SENDS) {
        found.rec.queries.push(t);
        found.rec.frames.push(frame);
      }
      return;
    }
    if (this.list.length >= this.max) {
      this.onLimit(t, frame);
      return;
    }
    const rec = newRecord(msg, client, server, transport, [t], [frame]);
    const txn: Txn = { rec, idKey, key };
    this.list.push(rec);
    this.open.set(key, txn);
    const same = this.openById.get(idKey);
    if (same) same.push(txn);
    else this.openById.set(idKey, [txn]);
  }

  /** `client` is the response's destination, `server` its source. */
  response(msg: DnsMessage, client: string, server: string, transport: 'udp' | 'tcp', t: number, frame: number): void {
    const idKey = `${transport}|${client}|${server}|${msg.id}`;
    let txn: Txn | undefined;
    if (msg.question) txn = this.open.get(`${idKey}|${questionKey(msg)}`);
    else txn = this.openById.get(idKey)?.[0];
    if (!txn) {
      if (this.answeredRecently(idKey, msg)) {
        this.duplicateResponses++;
        return;
      }
      if (this.list.length >= this.max) {
        this.onLimit(t, frame);
        return;
      }
      // A response whose query was not captured: a transaction with no sends.
      const rec = newRecord(msg, client, server, transport, [], []);
      txn = { rec, idKey, key: '' };
      this.list.push(rec);
    } else {
      this.open.delete(txn.key);
      const same = this.openById.get(idKey);
      if (same) {
        const i = same.indexOf(txn);
        if (i >= 0) same.splice(i, 1);
        if (same.length === 0) this.openById.delete(idKey);
      }
    }
    const rec = txn.rec;
    rec.response = t;
    rec.rcode = dnsRcodeName(msg.rcode);
    rec.truncated = msg.truncated;
    rec.answers = msg.answers;
    rec.cnames = msg.cnames;
    rec.edns = msg.edns;
    rec.frames.push(frame);
    this.answered.set(idKey, rec);
  }

  private readonly answered = new Map<string, DnsTransactionRecord>();

  private answeredRecently(idKey: string, msg: DnsMessage): boolean {
    const rec = this.answered.get(idKey);
    return rec !== undefined && (!msg.question || rec.name.toLowerCase() === msg.question.name.toLowerCase());
  }

  finish(): DnsTransactionRecord[] {
    return this.list;
  }
}

/** A transaction record for the message's question, before any response is applied. */
function newRecord(
  msg: DnsMessage, client: string, server: string, transport: 'udp' | 'tcp', queries: number[], frames: number[],
): DnsTransactionRecord {
  return {
    name: msg.question?.name ?? '',
    type: msg.question?.typeName ?? '',
    client,
    server,
    transport,
    id: msg.id,
    queries,
    response: null,
    rcode: null,
    truncated: false,
    answers: [],
    cnames: [],
    edns: false,
    frames,
  };
}

function questionKey(msg: { question: { name: string; typeName: string } | null }): string {
  return msg.question ? `${msg.question.name.toLowerCase()}|${msg.question.typeName}` : '';
}
