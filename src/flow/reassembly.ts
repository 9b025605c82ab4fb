import { seqAdd, seqDiff } from './seq.js';

/** Where one direction's ordered bytes go (an application parser). */
export interface StreamSink {
  /**
   * In-order bytes. `bytes` may be a view into the capture buffer: valid only during the call, so
   * copy what you keep. Return false when no more bytes are wanted; the stream then stops buffering.
   */
  data(bytes: Uint8Array, t: number, frame: number): boolean;
  /** `length` bytes are missing before what comes next (never captured, or dropped for space). */
  gap(length: number, t: number, frame: number): boolean;
  /** The sender closed this direction (FIN) at `t`, after everything delivered. */
  end?(t: number): void;
}

interface Pending {
  seq: number;
  data: Uint8Array;
  /** Bytes the segment had on the wire beyond what was captured (snap length). */
  missing: number;
  t: number;
  frame: number;
}

/** Default bound on out-of-order bytes held per direction. */
export const DEFAULT_MAX_BUFFERED = 1 << 20;

/** Out-of-order bytes held by all the streams sharing it (bounds memory over many connections). */
export class BufferBudget {
  used = 0;
  constructor(readonly limit = 64 << 20) {}
}

const UNLIMITED = new BufferBudget(Number.MAX_SAFE_INTEGER);

/**
 * The empty `pending` of every stream that has held nothing (most never do): never added to, so
 * that a connection's two streams cost no array each until they need one.
 */
const NO_PENDING: Pending[] = [];

/**
 * One direction of a TCP stream put back in order. In-order segments go straight to the sink as
 * views (no copy); only segments that arrive ahead of a hole are copied and held, at most
 * `maxBuffered` bytes. When that bound is hit the hole is declared a gap and delivery skips it.
 * Retransmitted and overlapping bytes are delivered once (the first copy seen wins).
 */
export class StreamReassembler {
  /** Sequence number of the next byte to deliver; null until the stream start is known. */
  private next: number | null = null;
  /** Segments held ahead of a hole, in sequence order (NO_PENDING, shared, until the first). */
  private pending: Pending[] = NO_PENDING;
  private pendingBytes = 0;
  private active = true;

  constructor(
    private readonly sink: StreamSink,
    private readonly maxBuffered = DEFAULT_MAX_BUFFERED,
    private readonly budget: BufferBudget = UNLIMITED,
  ) {}

  get isActive(): boolean {
    return this.active;
  }

  /** Bytes currently held out of order. */
  get buffered(): number {
    return this.pendingBytes;
  }

  /** The first data byte's sequence number (ISN + 1) when a SYN was seen. */
  start(seq: number): void {
    if (this.next === null) this.next = seq >>> 0;
  }

  /**
   * A segment's payload. `wireLength` is its length on the wire; when the capture cut it short,
   * the missing tail is a gap.
   */
  push(seq: number, payload: Uint8Array, wireLength: number, t: number, frame: number): void {
    if (!this.active || wireLength <= 0) return;
    if (this.next === null) this.next = seq;
    const captured = Math.min(payload.length, wireLength);
    const missing = wireLength - captured;
    const d = seqDiff(seq, this.next);
    if (d <= 0) {
      if (seqDiff(seqAdd(seq, wireLength), this.next) <= 0) return; // all old: a retransmission
      this.deliver(seq, captured === payload.length ? payload : payload.subarray(0, captured), missing, t, frame);
      this.drain();
      return;
    }
    // Ahead of a hole: hold a copy.
    this.insert({ seq, data: payload.slice(0, captured), missing, t, frame });
    while (this.active && this.pending.length > 0 &&
      (this.pendingBytes > this.maxBuffered || this.budget.used > this.budget.limit)) this.skipHole();
  }

  /** The stream ended (FIN, RST, end of capture): deliver what is held, skipping holes. */
  flush(): void {
    while (this.active && this.pending.length > 0) this.skipHole();
  }

  /** The sender's FIN: deliver what is held, then tell the sink the direction ended. */
  end(t: number): void {
    this.flush();
    if (this.active) this.sink.end?.(t);
  }

  /** Drop everything and accept nothing more. */
  release(): void {
    this.active = false;
    this.budget.used -= this.pendingBytes;
    this.pending = NO_PENDING;
    this.pendingBytes = 0;
  }

  private deliver(seq: number, bytes: Uint8Array, missing: number, t: number, frame: number): void {
    const skip = seqDiff(this.next as number, seq); // >= 0: already delivered prefix
    let ok = true;
    if (skip < bytes.length) {
      if (!this.sink.data(skip > 0 ? bytes.subarray(skip) : bytes, t, frame)) ok = false;
      this.next = seqAdd(seq, bytes.length);
      if (ok && missing > 0) {
        ok = this.sink.gap(missing, t, frame);
        this.next = seqAdd(this.next, missing);
      }
    } else {
      // Only the uncaptured tail is new.
      const newMissing = bytes.length + missing - skip;
      if (newMissing > 0) {
        ok = this.sink.gap(newMissing, t, frame);
        this.next = seqAdd(this.next as number, newMissing);
      }
    }
    if (!ok) this.release();
  }

  private drain(): void {
    while (this.active && this.pending.length > 0) {
      const p = this.pending[0];
      if (seqDiff(p.seq, this.next as number) > 0) return;
      this.pending.shift();
      this.pendingBytes -= p.data.length;
      this.budget.used -= p.data.length;
      if (seqDiff(seqAdd(p.seq, p.data.length + p.missing), this.next as number) > 0) {
        this.deliver(p.seq, p.data, p.missing, p.t, p.frame);
      }
    }
  }

  private skipHole(): void {
    const p = this.pending[0];
    const hole = seqDiff(p.seq, this.next as number);
    if (hole > 0) {
      if (!this.sink.gap(hole, p.t, p.frame)) {
        this.release();
        return;
      }
      this.next = p.seq;
    }
    this.drain();
  }

  private insert(p: Pending): void {
    if (this.pending === NO_PENDING) this.pending = [];
    let i = this.pending.length;
    while (i > 0 && seqDiff(this.pending[i - 1].seq, p.seq) > 0) i--;
    this.pending.splice(i, 0, p);
    this.pendingBytes += p.data.length;
    this.budget.used += p.data.length;
  }
}
