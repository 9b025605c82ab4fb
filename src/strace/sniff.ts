/**
 * Which clock a strace log uses, from its first 64 KiB: 'epoch' (-ttt), 'tod' (-t/-tt, needs a
 * date), 'rel' (-r), or null (no timed line there, or unreadable). The pipeline reads a log whose
 * times need no date before the capture (less memory held while both are read).
 */
import { FileDescriptor } from '../io/files.js';
import { parseLine } from './line.js';
import { straceFiles } from './files.js';

const SNIFF_BYTES = 64 * 1024;

export async function sniffStraceClock(path: string): Promise<'epoch' | 'tod' | 'rel' | null> {
  let first: string;
  try {
    first = (await straceFiles(path))[0].path;
  } catch {
    return null;
  }
  let text: string;
  try {
    const fh = await FileDescriptor.open(first, 'r');
    try {
      const buf = Buffer.alloc(SNIFF_BYTES);
      const bytesRead = await fh.read(buf, 0, SNIFF_BYTES, 0);
      text = buf.subarray(0, bytesRead).toString('utf8');
    } finally {
      await fh.close();
    }
  } catch {
    return null;
  }
  const lines = text.split('\n');
  if (lines.length > 1) lines.pop(); // the last piece may be cut
  for (const line of lines) {
    const ev = parseLine(line.replace(/\r$/, ''));
    if (ev.type !== 'garbage' && ev.time) return ev.time.kind;
  }
  return null;
}
