import dnsPacket from 'dns-packet';
import { dnsTypeName } from './dns-names.js';

/**
 * One DNS message: the header and the first question read by our own bounded code, the answer,
 * authority and additional records by dns-packet's record codec (`answer.decode`), each call
 * guarded. A message that breaks part-way keeps what was read before the break plus the name of
 * the anomaly (`DNS_…`); nothing here throws.
 */
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

interface RecordCodec {
  decode: ((buf: Buffer, offset: number) => Record<string, unknown>) & { bytes: number };
}
const answerCodec = (dnsPacket as unknown as { answer: RecordCodec }).answer;

export function parseDnsMessage(bytes: Uint8Array): DnsMessage | { anomaly: { name: string; detail: string } } {
  if (bytes.length < 12) {
    return { anomaly: { name: 'DNS_truncated_header', detail: `message of ${bytes.length} bytes is shorter than the 12-byte header` } };
  }
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const id = buf.readUInt16BE(0);
  const flags = buf.readUInt16BE(2);
  const counts = {
    questions: buf.readUInt16BE(4),
    answers: buf.readUInt16BE(6),
    authority: buf.readUInt16BE(8),
    additional: buf.readUInt16BE(10),
  };
  const msg: DnsMessage = {
    id,
    response: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 0xf,
    rcode: flags & 0xf,
    truncated: (flags & 0x0200) !== 0,
    counts,
    question: null,
    answers: [],
    cnames: [],
    edns: false,
    anomaly: null,
  };
  const fail = (name: string, detail: string): DnsMessage => {
    if (msg.anomaly === null) msg.anomaly = { name, detail };
    return msg;
  };

  let offset = 12;
  // Counts come from the sender: nothing is sized by them, and every record read is bounded by
  // the bytes that remain, so a huge count ends at the first record that runs out.
  for (let q = 0; q < counts.questions; q++) {
    const n = readName(buf, offset);
    if ('error' in n) return fail(n.error, `question ${q + 1} at byte ${offset}: ${n.detail}`);
    if (n.next + 4 > buf.length) {
      return fail('DNS_truncated_question', `question ${q + 1} needs 4 bytes at ${n.next}, ${buf.length - n.next} remain`);
    }
    const type = buf.readUInt16BE(n.next);
    if (msg.question === null) {
      msg.question = { name: n.name, type, typeName: dnsTypeName(type), class: buf.readUInt16BE(n.next + 2) };
    }
    offset = n.next + 4;
  }

  const sections = [counts.answers, counts.authority, counts.additional];
  for (let s = 0; s < 3; s++) {
    for (let i = 0; i < sections[s]; i++) {
      if (offset >= buf.length) {
        return fail('DNS_truncated_answer', `record ${i + 1} of section ${s + 1} starts at byte ${offset}, message ends at ${buf.length}`);
      }
      let rr: Record<string, unknown>;
      try {
        rr = answerCodec.decode(buf, offset);
      } catch (err) {
        const text = err instanceof Error ? err.message : String(err);
        const name = /bad pointer/.test(text) ? 'DNS_name_bad_pointer'
          : /bad label|too long/.test(text) ? 'DNS_malformed_name'
          : /overflow|out of range|beyond|outside/i.test(text) ? 'DNS_truncated_answer'
          : 'DNS_malformed_record';
        return fail(name, `record ${i + 1} of section ${s + 1} at byte ${offset}: ${text}`);
      }
      const next = offset + answerCodec.decode.bytes;
      if (next > buf.length) {
        return fail('DNS_truncated_answer', `record ${i + 1} of section ${s + 1} at byte ${offset} ends at ${next}, message ends at ${buf.length}`);
      }
      offset = next;
      if (s === 0) addAnswer(msg, rr);
      else if (s === 2 && rr.type === 'OPT') {
        msg.edns = true;
        msg.rcode = (Number(rr.extendedRcode) << 4) | (flags & 0xf);
      }
    }
  }
  return msg;
}

function addAnswer(msg: DnsMessage, rr: Record<string, unknown>): void {
  const type = String(rr.type);
  const data = rr.data as unknown;
  if (type === 'CNAME' && typeof data === 'string') msg.cnames.push(data);
  if (msg.answers.length >= MAX_ANSWERS) return;
  msg.answers.push(answerText(type, data));
}

function answerText(type: string, data: unknown): string {
  if (typeof data === 'string') return clean(data);
  if (data && typeof data === 'object') {
    const d = data as Record<string, unknown>;
    if (type === 'MX') return `${d.preference} ${clean(String(d.exchange))}`;
    if (type === 'SRV') return `${d.priority} ${d.weight} ${d.port} ${clean(String(d.target))}`;
    if (type === 'SOA') return `${clean(String(d.mname))} ${clean(String(d.rname))} ${d.serial}`;
    if (Array.isArray(data)) {
      return clean(data.map((x) => (Buffer.isBuffer(x) ? x.toString('latin1') : String(x))).join(' '));
    }
  }
  return type.startsWith('UNKNOWN_') ? `TYPE${type.slice(8)}` : type;
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
export function readName(buf: Uint8Array, offset: number): NameResult {
  const parts: string[] = [];
  let pos = offset;
  let next = -1;
  let limit = offset; // pointers must point before the position they were read from
  let total = 0;
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
    let label = '';
    for (let i = pos + 1; i <= pos + len; i++) {
      const b = buf[i];
      if (b === 0x2e || b === 0x5c) label += `\\${String.fromCharCode(b)}`;
      else if (b > 0x20 && b < 0x7f) label += String.fromCharCode(b);
      else label += `\\${b.toString().padStart(3, '0')}`;
    }
    parts.push(label);
    pos += 1 + len;
  }
  return { name: parts.length === 0 ? '.' : parts.join('.'), next };
}
