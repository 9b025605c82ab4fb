/**
 * A goroutine dump (SIGQUIT, or a panic traceback) in go's output → one summary per goroutine:
 * id, state, minutes waited ("[select, 3 minutes]"), first frames, and what the stack says go
 * waits on. The frames that tell, from the most specific to the least:
 *   resolver (net.(*Resolver), dnsPacketRoundTrip, cgo getaddrinfo) → dns;
 *   http.ReadResponse under (*Transport).dialConn (the proxy's CONNECT answer) → proxy-connect;
 *   crypto/tls handshake → tls; (*sysDialer) / (*netFD).connect → connect;
 *   (*persistConn).roundTrip → proxy-response; reading a response body → transfer;
 *   syscall.Flock under cmd/go/internal/lockedfile → cache-lock; os/exec.(*Cmd).Wait or
 *   modfetch/codehost Run → git; sumdb client → checksum-db; (*Transport).getConn → connect.
 */
import type { GoroutineSummary, StageName } from '../report/schema.js';

export const MAX_FRAMES_KEPT = 8;
/** Frames read per goroutine (deeper ones are skipped; the rules need the top of the stack). */
const MAX_FRAMES_READ = 64;

type WaitsOn = GoroutineSummary['waitsOn'];

const RULES: Array<[RegExp, WaitsOn, ((frames: string[]) => boolean)?]> = [
  [/^net\.\(\*Resolver\)|^net\.dnsPacketRoundTrip|^net\.dnsStreamRoundTrip|^net\.\(\*Resolver\)\.exchange|^net\._C2func_getaddrinfo|^net\.cgoLookup|^net\.goLookup|^net\.\(\*conf\)\.hostLookupOrder|^net\.lookup/, 'dns'],
  [/^net\/http\.ReadResponse$/, 'proxy-connect', (f) => f.some((x) => /^net\/http\.\(\*Transport\)\.dialConn/.test(x))],
  [/^crypto\/tls\.\(\*Conn\)\.(Handshake|HandshakeContext|handshakeContext|clientHandshake)|^net\/http\.\(\*persistConn\)\.addTLS/, 'tls'],
  [/^net\.\(\*sysDialer\)|^net\.\(\*netFD\)\.connect|^net\.\(\*Dialer\)\.DialContext|^net\.dialSerial|^net\.dialParallel/, 'connect'],
  [/^net\/http\.\(\*persistConn\)\.roundTrip/, 'proxy-response'],
  [/^net\/http\.\(\*body\)\.Read|^net\/http\.\(\*bodyEOFSignal\)\.Read|^net\/http\.\(\*http2transportResponseBody\)\.Read|^net\/http\.\(\*http2pipe\)\.Read/, 'transfer'],
  [/^syscall\.Flock$|^cmd\/go\/internal\/lockedfile/, 'cache-lock', (f) => f.some((x) => /^syscall\.Flock|^cmd\/go\/internal\/lockedfile\/internal\/filelock/.test(x))],
  [/^os\/exec\.\(\*Cmd\)\.Wait|^cmd\/go\/internal\/modfetch\/codehost\.Run/, 'git'],
  [/^golang\.org\/x\/mod\/sumdb|^cmd\/go\/internal\/modfetch\.\(\*dbClient\)|^cmd\/go\/internal\/modfetch\.checkModSum/, 'checksum-db'],
  [/^net\/http\.\(\*Transport\)\.getConn/, 'connect'],
];

/** What the frames (innermost first) say the goroutine waits on. */
export function waitsOn(frames: string[]): { waitsOn: WaitsOn; frame: string | null } {
  for (const [re, stage, also] of RULES) {
    const hit = frames.find((f) => re.test(f));
    if (hit && (!also || also(frames))) return { waitsOn: stage, frame: hit };
  }
  return { waitsOn: 'other', frame: null };
}

/** `net/http.(*persistConn).roundTrip(0xc000, {0x1, 0x2})` → `net/http.(*persistConn).roundTrip`. */
export function frameName(line: string): string | null {
  const t = line.trim();
  if (t === '' || t.startsWith('/') || /^created by /.test(t)) return null;
  const m = /^(.+?)\((?:[^()]|\([^()]*\))*\)$/.exec(t);
  if (!m) return null;
  return m[1];
}

const HEADER = /^goroutine (\d+) (?:gp=\S+ m=\S+ (?:mp=\S+ )?)?\[([^\],]+)((?:, [^\],]+)*)\]:$/;

export interface GoroutineParse {
  id: number;
  state: string;
  waitMinutes: number | null;
  frames: string[];
  line: number;
  time: number | null;
}

/** Streaming parser: feed lines, collect goroutines. */
export class GoroutineCollector {
  private cur: GoroutineParse | null = null;
  readonly done: GoroutineParse[] = [];
  /** Goroutines past the cap, counted only. */
  skipped = 0;
  /** Dump headers seen ("SIGQUIT: quit", "panic: …"). */
  dumps = 0;

  constructor(private readonly max = 2000) {}

  get open(): boolean { return this.cur !== null; }

  /** Returns true when the line belongs to a dump. */
  feed(text: string, line: number, time: number | null): boolean {
    const h = HEADER.exec(text);
    if (h) {
      this.close();
      const extras = h[3] ? h[3].split(', ').filter(Boolean) : [];
      let minutes: number | null = null;
      for (const e of extras) {
        const m = /^(\d+) minutes?$/.exec(e.trim());
        if (m) minutes = Number(m[1]);
      }
      this.cur = { id: Number(h[1]), state: h[2], waitMinutes: minutes, frames: [], line, time };
      return true;
    }
    if (/^SIGQUIT: quit$|^SIGABRT: abort$|^PC=0x[0-9a-f]+ m=\d+/.test(text)) {
      this.close();
      if (text.startsWith('SIG')) this.dumps++;
      return true;
    }
    if (this.dumps > 0 && /^(r[a-z0-9]{1,3}|e[a-z]{2}|rip|rflags|eflags|cs|fs|gs|pc|sp|lr|fp|x\d+)\s+0x[0-9a-f]+$/.test(text)) return true;
    if (text.trim() === '') {
      const inDump = this.cur !== null || this.dumps > 0;
      this.close();
      return inDump;
    }
    if (!this.cur) return false;
    if (text.startsWith('\t')) return true;
    if (/^created by |^\.\.\.additional frames elided\.\.\.$/.test(text)) return true;
    const name = frameName(text);
    if (name !== null) {
      if (this.cur.frames.length < MAX_FRAMES_READ) this.cur.frames.push(name);
      return true;
    }
    // Anything else ends the goroutine (the dump was cut or interleaved).
    this.close();
    return false;
  }

  close(): void {
    if (!this.cur) return;
    if (this.done.length < this.max) this.done.push(this.cur);
    else this.skipped++;
    this.cur = null;
  }
}

export function summarise(g: GoroutineParse): GoroutineSummary {
  const w = waitsOn(g.frames);
  return { id: g.id, state: g.state, waitMinutes: g.waitMinutes, waitsOn: w.waitsOn, frame: w.frame, frames: g.frames.slice(0, MAX_FRAMES_KEPT) };
}

export type { StageName };
