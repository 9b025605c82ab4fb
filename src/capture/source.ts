/**
 * Where capture bytes come from: a file (optionally still growing), stdin, or memory. Each source
 * fills a caller-owned buffer, like fs.read: `read(buf, offset, length)` resolves to the number of
 * bytes written, 0 at end of input. A regular file can also be read with a blocking call
 * (`readSync`), which the reader prefers for it (reader.ts, SYNC_CHUNK).
 */
import { FileDescriptor } from '../io/files.js';
import type { Readable } from 'node:stream';

export interface ByteSource {
  read(buf: Uint8Array, offset: number, length: number): Promise<number>;
  /** `read` as a blocking call; only on sources whose reads never wait for a writer (a regular file). */
  readonly readSync?: (buf: Uint8Array, offset: number, length: number) => number;
  close(): Promise<void>;
}

export class FileSource implements ByteSource {
  readonly readSync?: (buf: Uint8Array, offset: number, length: number) => number;

  private constructor(private readonly fh: FileDescriptor, regular: boolean) {
    // A FIFO, a character device or a socket can block on a writer: those are read asynchronously.
    if (regular) this.readSync = (buf, offset, length) => fh.readSync(buf, offset, length, null);
  }

  /** Open for reading; a directory fails here (EISDIR, with the path) rather than at the first read. */
  static async open(path: string): Promise<FileSource> {
    const fh = await FileDescriptor.open(path, 'r');
    let st;
    try {
      st = await fh.stat();
    } catch (err) {
      await fh.close().catch(() => undefined);
      throw err;
    }
    if (st.isDirectory()) {
      await fh.close();
      throw Object.assign(new Error(`EISDIR: illegal operation on a directory, open '${path}'`), { code: 'EISDIR', path });
    }
    return new FileSource(fh, st.isFile());
  }

  /**
   * The next bytes, by fs.read on the descriptor (src/io/files.ts, whose errors name the file):
   * node:fs/promises' FileHandle.read wrapper (its argument checks and result object) ran in V8's
   * interpreter for every chunk and cost more than the read's own round trip to the thread pool.
   */
  read(buf: Uint8Array, offset: number, length: number): Promise<number> {
    return this.fh.read(buf, offset, length, null);
  }

  close(): Promise<void> {
    return this.fh.close();
  }
}

/** A stream (stdin): its chunks are copied into the reader's buffer as room allows. */
export class StreamSource implements ByteSource {
  private readonly it: AsyncIterator<Buffer | string>;
  private pending: Uint8Array | null = null;
  private done = false;

  constructor(stream: Readable) {
    this.it = stream[Symbol.asyncIterator]();
  }

  async read(buf: Uint8Array, offset: number, length: number): Promise<number> {
    if (!this.pending) {
      if (this.done) return 0;
      const next = await this.it.next();
      if (next.done) {
        this.done = true;
        return 0;
      }
      const v = next.value;
      this.pending = typeof v === 'string' ? Buffer.from(v, 'latin1') : v;
    }
    const chunk = this.pending;
    const n = Math.min(length, chunk.length);
    buf.set(chunk.subarray(0, n), offset);
    this.pending = n < chunk.length ? chunk.subarray(n) : null;
    return n;
  }

  async close(): Promise<void> {
    await this.it.return?.();
  }
}

export class MemorySource implements ByteSource {
  private pos = 0;
  constructor(private readonly bytes: Uint8Array) {}

  async read(buf: Uint8Array, offset: number, length: number): Promise<number> {
    const n = Math.min(length, this.bytes.length - this.pos);
    buf.set(this.bytes.subarray(this.pos, this.pos + n), offset);
    this.pos += n;
    return n;
  }

  async close(): Promise<void> {}
}
