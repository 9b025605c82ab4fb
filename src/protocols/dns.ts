import { formatIp, ipv4Text } from '../decode/address.js';
import { dnsTypeName } from './dns-names.js';
import { latin1 } from './text.js';

/** One DNS message as the report needs it (see parseDnsMessage). */
export interface DnsMessage {
  id: number;
  response: boolean;
  opcode: number;
  /** Header rcode combined with the EDNS extended rcode when an OPT record is present. */
  rcode: number;
  truncated: boolean;
  counts: { questions: number; answers: number; authority: number; additional: number };
  question: { name: string; type: number; typeName: string; class: number } | null;
  answers: string[];
  cnames: string[];
  edns: boolean;
  /** Name of the first anomaly met while reading, with a detail; null when clean. */
  anomaly: { name: string; detail: string } | null;
}

/** At most this many answer strings are kept per message. */
const MAX_ANSWERS = 64;

const TYPE_A = 1;
const TYPE_NS = 2;
const TYPE_CNAME = 5;
const TYPE_SOA = 6;
const TYPE_PTR = 12;
const TYPE_MX = 15;
const TYPE_TXT = 16;
const TYPE_AAAA = 28;
const TYPE_SRV = 33;
const TYPE_DNAME = 39;
const TYPE_OPT = 41;
const TYPE_SPF = 99;

type Anomaly = { name: string; detail: string };

/**
 * The DNS message codec for captures: the header, the first question and every resource record
 * read by our own bounded code (RFC 1035 §4.1, RFC 6891 for OPT). Only what the report needs is
 * turned into text: the first question's name and type, the answer section's data (A, AAAA, names,
 * MX, SRV, SOA, TXT; other types by their type name), CNAME targets, and the OPT record's extended
 * rcode. Owner names are validated and skipped, not built. A message that breaks part-way keeps
 * what was read before the break plus the name of the anomaly (`DNS_…`); nothing here throws.
 * (dns-packet's decoder did this job until it was measured: see docs/dependencies.md.)
 */
export function parseDnsMessage(bytes: Uint8Array): DnsMessage | { anomaly: Anomaly } {
  const len = bytes.length;
  if (len < 12) {
    return { anomaly: { name: 'DNS_truncated_header', detail: `message of ${len} bytes is shorter than the 12-byte header` } };
  }
  const b = bytes;
  // (Two-byte fields read in place, owner names skipped without building a result: this runs a
  // few thousand times per capture, mostly before the JIT optimises it.)
  const id = (b[0] << 8) | b[1];
  const flags = (b[2] << 8) | b[3];
  const counts = {
    questions: (b[4] << 8) | b[5], answers: (b[6] << 8) | b[7], authority: (b[8] << 8) | b[9], additional: (b[10] << 8) | b[11],
  };
  // The arrays are made apart from the literal: a literal holding `[]` is copied from its
  // boilerplate by a slow runtime walk in V8's baseline code, a flat one by a fast builtin.
  const answers: string[] = [];
  const cnames: string[] = [];
  const msg: DnsMessage = {
    id,
    response: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 0xf,
    rcode: flags & 0xf,
    truncated: (flags & 0x0200) !== 0,
    counts,
    question: null,
    answers,
    cnames,
    edns: false,
    anomaly: null,
  };
  // (This runs a few thousand times per capture, mostly before the JIT optimises it: no closure,
  // no location string unless something is wrong.)
  let offset = 12;
  // Counts come from the sender: nothing is sized by them, and every record read is bounded by
  // the bytes that remain, so a huge count ends at the first record that runs out.
  for (let q = 0; q < counts.questions; q++) {
    const n = readName(b, offset, msg.question === null);
    if ('error' in n) return fail(msg, n.error, `question ${q + 1} at byte ${offset}: ${n.detail}`);
    if (n.next + 4 > len) {
      return fail(msg, 'DNS_truncated_question', `question ${q + 1} needs 4 bytes at ${n.next}, ${len - n.next} remain`);
    }
    if (msg.question === null) {
      const type = (b[n.next] << 8) | b[n.next + 1];
      msg.question = { name: n.name, type, typeName: dnsTypeName(type), class: (b[n.next + 2] << 8) | b[n.next + 3] };
    }
    offset = n.next + 4;
  }

  for (let s = 0; s < 3; s++) {
    const count = s === 0 ? counts.answers : s === 1 ? counts.authority : counts.additional;
    for (let i = 0; i < count; i++) {
      if (offset >= len) {
        return fail(msg, 'DNS_truncated_answer', `record ${i + 1} of section ${s + 1} starts at byte ${offset}, message ends at ${len}`);
      }
      let fixed = skipName(b, offset);
      if (fixed < 0) {
        const owner = readName(b, offset, false);
        if ('error' in owner) return fail(msg, recordNameError(owner.error), `${where(i, s, offset)}: ${owner.detail}`);
        fixed = owner.next; // (not reached: skipName fails exactly where readName does; tested)
      }
      if (fixed + 10 > len) return fail(msg, 'DNS_truncated_answer', `${where(i, s, offset)}: its 10-byte fixed part runs past the end (${len})`);
      const type = (b[fixed] << 8) | b[fixed + 1];
      const rdLength = (b[fixed + 8] << 8) | b[fixed + 9];
      const rdata = fixed + 10;
      const next = rdata + rdLength;
      if (next > len) return fail(msg, 'DNS_truncated_answer', `${where(i, s, offset)} ends at ${next}, message ends at ${len}`);
      if (s === 0) {
        const bad = addAnswer(msg, b, type, rdata, next);
        if (bad) return fail(msg, bad.name, `${where(i, s, offset)}: ${bad.detail}`);
      } else if (s === 2 && type === TYPE_OPT) {
        msg.edns = true;
        // The OPT record's TTL field carries the upper 8 bits of the 12-bit rcode.
        msg.rcode = (b[fixed + 4] << 4) | (flags & 0xf);
      }
      offset = next;
    }
  }
  return msg;
}

/** Keep the first anomaly met and end the parse with what was read. */
function fail(msg: DnsMessage, name: string, detail: string): DnsMessage {
  if (msg.anomaly === null) msg.anomaly = { name, detail };
  return msg;
}

/** Where a resource record is, for an anomaly's detail. */
function where(i: number, section: number, offset: number): string {
  return `record ${i + 1} of section ${section + 1} at byte ${offset}`;
}

function u16(b: Uint8Array, i: number): number {
  return (b[i] << 8) | b[i + 1];
}

function u32(b: Uint8Array, i: number): number {
  return ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
}

/** A name that ends inside a record is a record cut short; other name faults keep their name. */
function recordNameError(error: string): string {
  return error === 'DNS_truncated_name' ? 'DNS_truncated_answer' : error;
}

/** Add one answer-section record's data as text; returns the fault when its data is malformed. */
function addAnswer(msg: DnsMessage, b: Uint8Array, type: number, start: number, end: number): Anomaly | null {
  const text = rdataText(b, type, start, end);
  if (typeof text !== 'string') return text;
  if (type === TYPE_CNAME) msg.cnames.push(text);
  if (msg.answers.length < MAX_ANSWERS) msg.answers.push(text);
  return null;
}

function rdataText(b: Uint8Array, type: number, start: number, end: number): string | Anomaly {
  const length = end - start;
  switch (type) {
    case TYPE_A:
      if (length !== 4) return { name: 'DNS_malformed_record', detail: `A record data of ${length} bytes, not 4` };
      return ipv4Text(b, start);
    case TYPE_AAAA:
      if (length !== 16) return { name: 'DNS_malformed_record', detail: `AAAA record data of ${length} bytes, not 16` };
      return formatIp(b.subarray(start, end));
    case TYPE_CNAME:
    case TYPE_NS:
    case TYPE_PTR:
    case TYPE_DNAME:
      return nameText(b, start, end);
    case TYPE_MX: {
      if (length < 3) return { name: 'DNS_malformed_record', detail: `MX record data of ${length} bytes` };
      const exchange = nameText(b, start + 2, end);
      return typeof exchange === 'string' ? `${u16(b, start)} ${exchange}` : exchange;
    }
    case TYPE_SRV: {
      if (length < 7) return { name: 'DNS_malformed_record', detail: `SRV record data of ${length} bytes` };
      const target = nameText(b, start + 6, end);
      return typeof target === 'string' ? `${u16(b, start)} ${u16(b, start + 2)} ${u16(b, start + 4)} ${target}` : target;
    }
    case TYPE_SOA: {
      const mname = readName(b, start, true);
      if ('error' in mname) return { name: recordNameError(mname.error), detail: mname.detail };
      const rname = readName(b, mname.next, true);
      if ('error' in rname) return { name: recordNameError(rname.error), detail: rname.detail };
      if (rname.next + 20 > end) return { name: 'DNS_malformed_record', detail: 'SOA record data shorter than its names and five numbers' };
      return `${clean(mname.name)} ${clean(rname.name)} ${u32(b, rname.next)}`;
    }
    case TYPE_TXT:
    case TYPE_SPF: {
      const parts: string[] = [];
      for (let i = start; i < end; ) {
        const n = b[i];
        if (i + 1 + n > end) return { name: 'DNS_malformed_record', detail: `TXT string of ${n} bytes runs past the record data` };
        parts.push(latin1(b, i + 1, i + 1 + n));
        i += 1 + n;
      }
      return clean(parts.join(' '));
    }
    default:
      return dnsTypeName(type);
  }
}

/** A name that must lie within a record's data (compression pointers may point anywhere before). */
function nameText(b: Uint8Array, start: number, end: number): string | Anomaly {
  const n = readName(b, start, true);
  if ('error' in n) return { name: recordNameError(n.error), detail: n.detail };
  if (n.next > end) return { name: 'DNS_malformed_record', detail: `name at byte ${start} runs past the record data (byte ${end})` };
  return clean(n.name);
}

/** Replace control characters (names and TXT data can hold any byte) and bound the length. */
function clean(s: string): string {
  // eslint-disable-next-line no-control-regex
  const out = s.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\${c.charCodeAt(0).toString().padStart(3, '0')}`);
  return out.length > 300 ? `${out.slice(0, 300)}…` : out;
}

type NameResult = { name: string; next: number } | { error: string; detail: string };

/**
 * A domain name at `offset`: labels as text (printable ASCII kept, other bytes as `\DDD`, a dot
 * inside a label as `\.`), compression pointers followed only backwards, 255 bytes at most.
 * `next` is the offset after the name in the original position.
 */
export function readName(buf: Uint8Array, offset: number, text = true): NameResult {
  let pos = offset;
  let next = -1;
  let limit = offset; // pointers must point before the position they were read from
  let total = 0;
  // The name's text is gathered as bytes in SCRATCH ("label.label"), made a string in one native
  // call at the end; a label that needs escaping sends the name to the slow path (labelText).
  let fill = 0;
  let plain = true;
  for (;;) {
    if (pos >= buf.length) return { error: 'DNS_truncated_name', detail: `name runs past the end (byte ${pos} of ${buf.length})` };
    const len = buf[pos];
    if (len === 0) {
      if (next < 0) next = pos + 1;
      break;
    }
    const kind = len & 0xc0;
    if (kind === 0xc0) {
      if (pos + 1 >= buf.length) return { error: 'DNS_truncated_name', detail: `pointer at byte ${pos} cut short` };
      const target = ((len & 0x3f) << 8) | buf[pos + 1];
      if (target >= limit) return { error: 'DNS_name_bad_pointer', detail: `pointer at byte ${pos} to ${target} does not point backwards` };
      if (next < 0) next = pos + 2;
      limit = target;
      pos = target;
      continue;
    }
    if (kind !== 0) return { error: 'DNS_malformed_name', detail: `label type 0x${kind.toString(16)} at byte ${pos}` };
    if (pos + 1 + len > buf.length) return { error: 'DNS_truncated_name', detail: `label of ${len} bytes at byte ${pos}, ${buf.length - pos - 1} remain` };
    total += len + 1;
    if (total > 255) return { error: 'DNS_malformed_name', detail: `name longer than 255 bytes at byte ${pos}` };
    if (text && plain) {
      if (fill > 0) SCRATCH[fill++] = 0x2e;
      for (let i = pos + 1, end = pos + 1 + len; i < end; i++) {
        const c = buf[i];
        // Printable ASCII other than `.` and `\` needs no escaping.
        if (c < 0x21 || c > 0x7e || c === 0x2e || c === 0x5c) plain = false;
        SCRATCH[fill++] = c;
      }
    }
    pos += 1 + len;
  }
  if (!text) return { name: '', next };
  if (fill === 0) return { name: '.', next };
  return { name: plain ? latin1(SCRATCH, 0, fill) : escapedName(buf, offset), next };
}

/**
 * The offset after the name at `offset`, checked as readName checks it but without its text or a
 * result object; -1 when readName would report an error (call it for the details).
 */
export function skipName(buf: Uint8Array, offset: number): number {
  const len = buf.length;
  let pos = offset;
  let next = -1;
  let limit = offset;
  let total = 0;
  for (;;) {
    if (pos >= len) return -1;
    const l = buf[pos];
    if (l === 0) return next < 0 ? pos + 1 : next;
    const kind = l & 0xc0;
    if (kind === 0xc0) {
      if (pos + 1 >= len) return -1;
      const target = ((l & 0x3f) << 8) | buf[pos + 1];
      if (target >= limit) return -1;
      if (next < 0) next = pos + 2;
      limit = target;
      pos = target;
      continue;
    }
    if (kind !== 0 || pos + 1 + l > len) return -1;
    total += l + 1;
    if (total > 255) return -1;
    pos += 1 + l;
  }
}

/** Room for the longest name's text: 255 wire bytes make at most 254 bytes of "label.label". */
const SCRATCH = new Uint8Array(256);

/** The text of the (already validated) name at `offset` when some label needs escaping. */
function escapedName(buf: Uint8Array, offset: number): string {
  const parts: string[] = [];
  let pos = offset;
  for (;;) {
    const len = buf[pos];
    if (len === 0) break;
    if ((len & 0xc0) === 0xc0) {
      pos = ((len & 0x3f) << 8) | buf[pos + 1];
      continue;
    }
    parts.push(labelText(buf, pos + 1, pos + 1 + len));
    pos += 1 + len;
  }
  return parts.join('.');
}

/** Labels that need no escaping: printable ASCII other than `.` and `\`. */
const PLAIN_LABEL = /^[\x21-\x2d\x2f-\x5b\x5d-\x7e]*$/;

/** One label as text: printable ASCII kept, a dot or backslash escaped, other bytes as `\DDD`. */
function labelText(buf: Uint8Array, start: number, end: number): string {
  const raw = latin1(buf, start, end);
  if (PLAIN_LABEL.test(raw)) return raw;
  let label = '';
  for (let i = start; i < end; i++) {
    const b = buf[i];
    if (b === 0x2e || b === 0x5c) label += `\\${String.fromCharCode(b)}`;
    else if (b > 0x20 && b < 0x7f) label += String.fromCharCode(b);
    else label += `\\${b.toString().padStart(3, '0')}`;
  }
  return label;
}
