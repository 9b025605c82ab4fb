import type { DnsTransactionRecord } from '../report/schema.js';
import type { DnsMessage } from './dns.js';
import { dnsRcodeName } from './dns-names.js';

/** Per-transaction bound on kept query times and frames (a flood of re-sends stays small). */
const MAX_SENDS = 64;

interface Txn {
  rec: DnsTransactionRecord;
  client: string;
  server: string;
  /** Question key (lower-cased name and type), '' for none. */
  qkey: string;
}

/**
 * Matches DNS queries to responses: same transport, client and server endpoints, message id and
 * question (name compared case-insensitively, type). A query re-sent with the same id and question
 * while unanswered is the same transaction (every send time kept; latency from the first). A
 * response without a question matches the oldest open query with its endpoints and id. A response
 * with no query becomes a transaction with no query times (the capture began mid-lookup).
 *
 * Lookups go by client endpoint, message id and transport (one key string: the endpoint's text
 * and a character each for the transport and the id, no number turned into text) to a short list
 * compared field by field. A list holds at most MAX_SAME transactions (a flood of one id from one client cannot
 * make matching quadratic): past that the oldest is no longer matched and stays unanswered.
 */
export class DnsTransactions {
  private readonly list: DnsTransactionRecord[] = [];
  /** Open (unanswered) transactions by client, transport and id, oldest first. */
  private readonly open = new Buckets();
  /** The last answered transaction per endpoints, transport and id (to spot repeated responses). */
  private readonly answered = new Buckets();
  duplicateResponses = 0;

  constructor(
    private readonly max = 200_000,
    private readonly onLimit: (t: number, frame: number) => void = () => undefined,
  ) {}

  query(msg: DnsMessage, client: string, server: string, transport: 'udp' | 'tcp', t: number, frame: number): void {
    const key = bucketKey(client, msg.id, transport);
    const qkey = questionKey(msg);
    const same = this.open.get(key);
    const at = same ? indexOf(same, server, qkey) : -1;
    if (at >= 0) {
      const found = same![at];
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
    this.list.push(rec);
    this.open.add(key, { rec, client, server, qkey });
  }

  /** `client` is the response's destination, `server` its source. */
  response(msg: DnsMessage, client: string, server: string, transport: 'udp' | 'tcp', t: number, frame: number): void {
    const key = bucketKey(client, msg.id, transport);
    const same = this.open.get(key);
    const qkey = msg.question ? questionKey(msg) : null;
    const i = same ? indexOf(same, server, qkey) : -1;
    let txn: Txn;
    if (i < 0) {
      if (this.answeredRecently(key, server, msg)) {
        this.duplicateResponses++;
        return;
      }
      if (this.list.length >= this.max) {
        this.onLimit(t, frame);
        return;
      }
      // A response whose query was not captured: a transaction with no sends.
      txn = { rec: newRecord(msg, client, server, transport, [], []), client, server, qkey: '' };
      this.list.push(txn.rec);
    } else {
      txn = same![i];
      this.open.remove(key, i);
    }
    const rec = txn.rec;
    rec.response = t;
    rec.rcode = dnsRcodeName(msg.rcode);
    rec.truncated = msg.truncated;
    rec.answers = msg.answers;
    rec.cnames = msg.cnames;
    rec.edns = msg.edns;
    rec.frames.push(frame);
    const done = this.answered.get(key);
    const j = done ? indexOf(done, server, null) : -1;
    if (j >= 0) done![j] = txn;
    else this.answered.add(key, txn);
  }

  private answeredRecently(key: string, server: string, msg: DnsMessage): boolean {
    const done = this.answered.get(key);
    const at = done ? indexOf(done, server, null) : -1;
    if (at < 0) return false;
    const txn = done![at];
    return (!msg.question || txn.rec.name.toLowerCase() === msg.question.name.toLowerCase());
  }

  finish(): DnsTransactionRecord[] {
    return this.list;
  }
}

/** Transactions that share a client endpoint, message id and transport: at most MAX_SAME. */
const MAX_SAME = 64;

/** Lists of transactions by bucketKey. */
class Buckets {
  private readonly lists = new Map<string, Txn[]>();

  get(key: string): Txn[] | undefined {
    return this.lists.get(key);
  }

  add(key: string, txn: Txn): void {
    const list = this.lists.get(key);
    if (!list) this.lists.set(key, [txn]);
    else {
      if (list.length >= MAX_SAME) list.shift();
      list.push(txn);
    }
  }

  remove(key: string, i: number): void {
    const list = this.lists.get(key);
    if (!list) return;
    list.splice(i, 1);
    if (list.length === 0) this.lists.delete(key);
  }
}

/**
 * The key of a client endpoint, message id and transport: the endpoint's text (which holds no
 * U+0000), U+0000, the transport's initial and the 16-bit id as one character.
 */
function bucketKey(client: string, id: number, transport: 'udp' | 'tcp'): string {
  return client + (transport === 'tcp' ? '\u0000t' : '\u0000u') + String.fromCharCode(id);
}

/** Index of the first transaction with this server (and question key, unless null); -1 if none. */
function indexOf(list: readonly Txn[], server: string, qkey: string | null): number {
  for (let i = 0; i < list.length; i++) {
    const x = list[i];
    if (x.server === server && (qkey === null || x.qkey === qkey)) return i;
  }
  return -1;
}

/** A transaction record for the message's question, before any response is applied. */
function newRecord(
  msg: DnsMessage, client: string, server: string, transport: 'udp' | 'tcp', queries: number[], frames: number[],
): DnsTransactionRecord {
  // (No `[]` inside the literal: see parseDnsMessage.)
  const answers: string[] = [];
  const cnames: string[] = [];
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
    answers,
    cnames,
    edns: false,
    frames,
  };
}

function questionKey(msg: { question: { name: string; typeName: string } | null }): string {
  return msg.question ? `${msg.question.name.toLowerCase()}|${msg.question.typeName}` : '';
}
