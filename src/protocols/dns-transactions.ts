import type { DnsTransactionRecord } from '../report/schema.js';
import type { DnsMessage } from './dns.js';
import { dnsRcodeName } from './dns-names.js';

/** Per-transaction bound on kept query times and frames (a flood of re-sends stays small). */
const MAX_SENDS = 64;

interface Txn {
  rec: DnsTransactionRecord;
  client: string;
  server: string;
  /** The question's name in lower case and its type; null and -1 for a message without one. */
  qname: string | null;
  qtype: number;
}

/**
 * Matches DNS queries to responses: same transport, client and server endpoints, message id and
 * question (name compared case-insensitively, type). A query re-sent with the same id and question
 * while unanswered is the same transaction (every send time kept; latency from the first). A
 * response without a question matches the oldest open query with its endpoints and id. A response
 * with no query becomes a transaction with no query times (the capture began mid-lookup).
 *
 * Lookups go by client endpoint (its text), then message id and transport (one number), to a short
 * list compared field by field: no key string is built per message. (This runs a few thousand
 * times per capture, mostly in code V8 has not optimised; endpoint texts come from a cache that
 * hands out the same string each time, decode/address.ts, so their hashes are cached and equal
 * ones are identical.) A list holds at most MAX_SAME transactions (a flood of one id from one
 * client cannot make matching quadratic): past that the oldest is no longer matched and stays
 * unanswered.
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
    const key = bucketKey(msg.id, transport);
    const q = msg.question;
    const qname = q === null ? null : q.name.toLowerCase();
    const qtype = q === null ? -1 : q.type;
    const same = this.open.get(client, key);
    const at = same ? indexOf(same, server, qname, qtype) : -1;
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
    this.open.add(client, key, { rec, client, server, qname, qtype });
  }

  /** `client` is the response's destination, `server` its source. */
  response(msg: DnsMessage, client: string, server: string, transport: 'udp' | 'tcp', t: number, frame: number): void {
    const key = bucketKey(msg.id, transport);
    const same = this.open.get(client, key);
    const q = msg.question;
    // A response without a question matches any (ANY_QUESTION).
    const i = same ? (q === null ? indexOf(same, server, null, ANY_QUESTION) : indexOf(same, server, q.name.toLowerCase(), q.type)) : -1;
    let txn: Txn;
    if (i < 0) {
      if (this.answeredRecently(client, key, server, msg)) {
        this.duplicateResponses++;
        return;
      }
      if (this.list.length >= this.max) {
        this.onLimit(t, frame);
        return;
      }
      // A response whose query was not captured: a transaction with no sends.
      txn = { rec: newRecord(msg, client, server, transport, [], []), client, server, qname: null, qtype: -1 };
      this.list.push(txn.rec);
    } else {
      txn = same![i];
      this.open.remove(client, key, i);
    }
    const rec = txn.rec;
    rec.response = t;
    rec.rcode = dnsRcodeName(msg.rcode);
    rec.truncated = msg.truncated;
    rec.answers = msg.answers;
    rec.cnames = msg.cnames;
    rec.edns = msg.edns;
    rec.frames.push(frame);
    const done = this.answered.get(client, key);
    const j = done ? indexOf(done, server, null, ANY_QUESTION) : -1;
    if (j >= 0) done![j] = txn;
    else this.answered.add(client, key, txn);
  }

  private answeredRecently(client: string, key: number, server: string, msg: DnsMessage): boolean {
    const done = this.answered.get(client, key);
    const at = done ? indexOf(done, server, null, ANY_QUESTION) : -1;
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

/** Lists of transactions by client endpoint, then bucketKey (message id and transport). */
class Buckets {
  private readonly byClient = new Map<string, ClientLists>();

  get(client: string, key: number): Txn[] | undefined {
    const c = this.byClient.get(client);
    if (c === undefined) return undefined;
    return key === c.key ? c.list! : c.more?.get(key);
  }

  add(client: string, key: number, txn: Txn): void {
    const c = this.byClient.get(client);
    if (c === undefined) {
      this.byClient.set(client, new ClientLists(key, [txn]));
      return;
    }
    const list = key === c.key ? c.list : c.more?.get(key);
    if (!list) {
      if (c.key === NO_KEY) {
        c.key = key;
        c.list = [txn];
      } else (c.more ??= new Map()).set(key, [txn]);
      return;
    }
    if (list.length >= MAX_SAME) list.shift();
    list.push(txn);
  }

  remove(client: string, key: number, i: number): void {
    const c = this.byClient.get(client);
    if (c === undefined) return;
    if (key === c.key) {
      c.list!.splice(i, 1);
      if (c.list!.length > 0) return;
      c.key = NO_KEY;
      c.list = null;
    } else {
      const list = c.more?.get(key);
      if (!list) return;
      list.splice(i, 1);
      if (list.length > 0) return;
      c.more!.delete(key);
    }
    if (c.key === NO_KEY && (c.more === null || c.more.size === 0)) this.byClient.delete(client);
  }
}

/** ClientLists' inline slot is empty. */
const NO_KEY = -1;

/**
 * One client endpoint's lists: the first key's inline, others in a Map made when a second key
 * appears. Nearly every client endpoint (a stub resolver's socket) asks one thing at a time, and
 * this runs a few thousand times per capture, mostly in V8's baseline tier, where a Map per
 * client endpoint and its lookups cost more than the rest of matching a response.
 */
class ClientLists {
  more: Map<number, Txn[]> | null = null;
  constructor(public key: number, public list: Txn[] | null) {}
}

/** The key of a message id (16 bits) and transport, within a client endpoint's lists. */
function bucketKey(id: number, transport: 'udp' | 'tcp'): number {
  return transport === 'tcp' ? id | 0x10000 : id;
}

/** indexOf's question type that matches every transaction (for a response without a question). */
const ANY_QUESTION = -2;

/**
 * Index of the first transaction with this server and question (lower-cased name and type;
 * null and -1 for none), or with this server alone when `qtype` is ANY_QUESTION; -1 if none.
 */
function indexOf(list: readonly Txn[], server: string, qname: string | null, qtype: number): number {
  for (let i = 0; i < list.length; i++) {
    const x = list[i];
    if (x.server === server && (qtype === ANY_QUESTION || (x.qtype === qtype && x.qname === qname))) return i;
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
