import { Writable } from 'node:stream';

/** A Writable that keeps everything written to it as text (stdout/stderr stand-ins in tests). */
export class Sink extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}
