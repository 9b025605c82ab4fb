/**
 * The live status line on a TTY while recording: elapsed time, packets, DNS lookups and
 * connections in flight, go's open fetches and for how long, and the current suspicion. Quiet
 * (no output at all) when `out` is null — the caller passes null when stderr is not a TTY.
 * go's own output is echoed through `wrap()`, which clears the status line first.
 */
import { Writable } from 'node:stream';
import { FetchTracker } from './fetches.js';
import { LiveAnalysis } from './live.js';
import { nowEpoch } from './golog.js';
import { terminalColumns } from '../report/wrap.js';

export interface ProgressOptions {
  out: NodeJS.WritableStream | null;
  captureFile: string | null;
}

export class Progress {
  readonly fetches = new FetchTracker();
  private readonly started = nowEpoch();
  private shown = false;
  private lastDraw = 0;
  private readonly live: LiveAnalysis | null;

  constructor(private readonly opts: ProgressOptions) {
    this.live = opts.out && opts.captureFile ? new LiveAnalysis() : null;
    if (this.live && opts.captureFile) this.live.start(opts.captureFile);
  }

  line(t: number, _stream: 'O' | 'E', text: string): void {
    this.fetches.line(t, text);
  }

  /** A stream that clears the status line before passing text on. */
  wrap(target: NodeJS.WritableStream): NodeJS.WritableStream {
    if (!this.opts.out) return target;
    const clear = (): void => this.clear();
    return new Writable({
      write(chunk: Buffer | string, _enc, cb) {
        clear();
        target.write(chunk);
        cb();
      },
    });
  }

  /** Redraw (at most twice a second). */
  tick(packets: number | null, idleSeconds: number): void {
    const out = this.opts.out;
    if (!out) return;
    const now = nowEpoch();
    if (now - this.lastDraw < 0.5) return;
    this.lastDraw = now;
    const text = this.render(now, packets, idleSeconds);
    const width = terminalColumns(out as { columns?: number }) ?? 100;
    out.write(`\r\x1b[2K${text.slice(0, Math.max(20, width - 1))}`);
    this.shown = true;
  }

  render(now: number, packets: number | null, idleSeconds: number): string {
    const parts = [`${formatSeconds(now - this.started)}`];
    if (packets !== null) parts.push(`${packets} pkts`);
    const live = this.live?.state(now) ?? null;
    if (live) parts.push(`dns ${live.dnsInFlight} · conn ${live.connectionsInFlight} in flight`);
    const oldest = this.fetches.oldest();
    parts.push(`${this.fetches.open.size} fetch${this.fetches.open.size === 1 ? '' : 'es'} open`);
    if (live?.suspicion) parts.push(live.suspicion);
    else if (oldest && now - oldest.since >= 2) parts.push(`${Math.round(now - oldest.since)} s waiting for ${shortUrl(oldest.url)}`);
    else if (idleSeconds >= 5) parts.push(`no progress for ${Math.round(idleSeconds)} s`);
    return parts.join(' | ');
  }

  clear(): void {
    if (this.shown && this.opts.out) {
      this.opts.out.write('\r\x1b[2K');
      this.shown = false;
    }
  }

  async done(): Promise<void> {
    this.clear();
    await this.live?.stop();
  }
}

export function formatSeconds(s: number): string {
  const total = Math.max(0, Math.floor(s));
  const m = Math.floor(total / 60);
  return m > 0 ? `${m}m${String(total % 60).padStart(2, '0')}s` : `${total}s`;
}

function shortUrl(url: string): string {
  // Printable only: a URL comes from go's output and could hold control characters.
  // eslint-disable-next-line no-control-regex
  const clean = url.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  return clean.length > 70 ? `${clean.slice(0, 40)}…${clean.slice(-28)}` : clean;
}
