/**
 * Recognise a capture by its first four bytes, never by its name. Also names a few things users
 * pass by mistake (compressed files, text logs) so the error says what to do.
 */
import { CaptureFormatError, type CaptureFormat } from './types.js';
import { hex32 } from './pcap.js';

export function detectFormat(file: string, head: Uint8Array, length: number): CaptureFormat {
  if (length === 0) throw new CaptureFormatError(file, 0, 'empty file: expected a pcap or pcapng header');
  if (length < 4) {
    throw new CaptureFormatError(file, 0, `file is only ${length} bytes: too short for a pcap or pcapng header`);
  }
  const m = ((head[0] << 24) | (head[1] << 16) | (head[2] << 8) | head[3]) >>> 0;
  switch (m) {
    case 0xa1b2c3d4: case 0xd4c3b2a1: case 0xa1b23c4d: case 0x4d3cb2a1:
      return 'pcap';
    case 0x0a0d0d0a:
      return 'pcapng';
    case 0xa1b2cd34: case 0x34cdb2a1:
      throw new CaptureFormatError(file, 0, 'modified (Kuznetzov) pcap format is not supported; convert it with `editcap -F pcap`');
  }
  if (head[0] === 0x1f && head[1] === 0x8b) {
    throw new CaptureFormatError(file, 0, 'gzip-compressed file: decompress it first (gunzip)');
  }
  if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) {
    throw new CaptureFormatError(file, 0, 'zstd-compressed file: decompress it first (zstd -d)');
  }
  let text = true;
  for (let i = 0; i < 4; i++) {
    const c = head[i];
    if (!(c === 9 || c === 10 || c === 13 || (c >= 32 && c < 127))) text = false;
  }
  const hint = text ? ' (this looks like a text file)' : '';
  throw new CaptureFormatError(
    file,
    0,
    `not a pcap or pcapng capture: magic number 0x${hex32(m)}, expected a1b2c3d4, a1b23c4d (either byte order) or 0a0d0d0a${hint}`,
  );
}
