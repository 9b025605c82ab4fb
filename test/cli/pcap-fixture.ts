/** A tiny hand-built pcap (Ethernet, IPv4, TCP SYNs that nobody answers) for CLI tests without root. */
import { writeFileSync } from 'node:fs';

function ipv4Tcp(src: number[], dst: number[], sport: number, dport: number, seq: number, flags: number): Uint8Array {
  const b = new Uint8Array(14 + 20 + 20);
  const v = new DataView(b.buffer);
  v.setUint16(12, 0x0800);
  let o = 14;
  b[o] = 0x45; v.setUint16(o + 2, 40); v.setUint16(o + 4, 1); b[o + 8] = 64; b[o + 9] = 6;
  b.set(src, o + 12); b.set(dst, o + 16);
  o += 20;
  v.setUint16(o, sport); v.setUint16(o + 2, dport); v.setUint32(o + 4, seq); v.setUint32(o + 8, 0);
  b[o + 12] = 5 << 4; b[o + 13] = flags; v.setUint16(o + 14, 64240);
  return b;
}

/** SYNs from 10.0.0.2:40000 to 10.9.9.9:443 at the given offsets (seconds) from `t0`. */
export function writeSynStall(path: string, t0 = 1764045000, at: number[] = [0, 1, 3, 7, 15]): void {
  const parts: Uint8Array[] = [];
  const hdr = new Uint8Array(24);
  const hv = new DataView(hdr.buffer);
  hv.setUint32(0, 0xa1b2c3d4, true); hv.setUint16(4, 2, true); hv.setUint16(6, 4, true);
  hv.setUint32(16, 262144, true); hv.setUint32(20, 1, true);
  parts.push(hdr);
  for (const t of at) {
    const pkt = ipv4Tcp([10, 0, 0, 2], [10, 9, 9, 9], 40000, 443, 1000, 0x02);
    const rec = new Uint8Array(16);
    const rv = new DataView(rec.buffer);
    const ts = t0 + t;
    rv.setUint32(0, Math.floor(ts), true); rv.setUint32(4, Math.round((ts % 1) * 1e6), true);
    rv.setUint32(8, pkt.length, true); rv.setUint32(12, pkt.length, true);
    parts.push(rec, pkt);
  }
  writeFileSync(path, Buffer.concat(parts));
}
