/**
 * What reader.ts needs from a format parser (pcap.ts, pcapng.ts). Parsers are synchronous and
 * incremental: the reader hands them a window of bytes, they emit every complete record in it and
 * say where they stopped; the reader carries the incomplete tail over to the next chunk.
 */
import type { CaptureFormat, CaptureInterface, CaptureSummary, RawPacket } from './types.js';
import { WarningList } from './warnings.js';

export interface RecordParser {
  readonly format: CaptureFormat;
  /**
   * Parse complete records in buf[start, end), where buf[0] is at file offset `base`. Calls the
   * packet callback for each packet. Returns the index of the first byte not consumed.
   * Throws CaptureFormatError for a broken file.
   */
  parse(buf: Uint8Array, view: DataView, start: number, end: number, base: number): number;
  /** Length of the record that did not fit in the window at the last parse (0 if none). */
  readonly pendingLength: number;
  /** End of input with `remaining` unconsumed bytes at file offset `offset`: throw or warn. */
  finish(remaining: number, offset: number): void;
  /** Format-specific summary fields. */
  describe(): Pick<CaptureSummary, 'byteOrder' | 'tsResolution' | 'version' | 'sections' | 'interfaces'>;
}

export type PacketCallback = (p: RawPacket) => void;

/**
 * How many bytes of a read buffer one call of a parser's record loop covers; `parse` calls it over
 * successive windows up to the end of what it was given. With the reader's 4 MiB buffers a single
 * call ran long enough for V8 to compile the loop twice: once on-stack (OSR, for the call still
 * running) and once as a function (for the next call), about 7 ms of TurboFan each, on the core
 * that also copies the file in. Calls over 256 KiB end before on-stack replacement is asked for:
 * one compilation (`--trace-opt`), 2–2.6 % fewer instructions on the bench capture
 * (docs/performance.md, session 8).
 */
export const LOOP_WINDOW = 256 * 1024;

/** State shared by both parsers: counts, time span, warnings. */
export class CaptureStats {
  packets = 0;
  bytes = 0;
  private minSec = Infinity;
  private minNsec = 0;
  private maxSec = -Infinity;
  private maxNsec = 0;
  readonly warnings = new WarningList();

  observe(sec: number, nsec: number, capturedLength: number): void {
    this.packets++;
    this.bytes += capturedLength;
    if (sec < this.minSec || (sec === this.minSec && nsec < this.minNsec)) {
      this.minSec = sec;
      this.minNsec = nsec;
    }
    if (sec > this.maxSec || (sec === this.maxSec && nsec > this.maxNsec)) {
      this.maxSec = sec;
      this.maxNsec = nsec;
    }
  }

  /** Count a packet that carries no timestamp (pcapng simple packet block). */
  observeUntimed(capturedLength: number): void {
    this.packets++;
    this.bytes += capturedLength;
  }

  get firstTime(): number | null {
    return this.minSec === Infinity ? null : this.minSec + this.minNsec / 1e9;
  }

  get lastTime(): number | null {
    return this.maxSec === -Infinity ? null : this.maxSec + this.maxNsec / 1e9;
  }
}

export function interfaceCopy(i: CaptureInterface): CaptureInterface {
  return { ...i };
}
