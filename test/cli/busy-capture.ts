/**
 * A capture that takes the analyser a while: many small TCP segments (64-byte payloads) on a few
 * hundred connections, so per-packet work dominates. Streamed to disk; about 130 bytes a packet.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

export function writeBusyCapture(path: string, packets: number, t0 = 1764045000): { packets: number; bytes: number } {
  const fd = openSync(path, 'w');
  const buf = Buffer.alloc(4 * 1024 * 1024);
  let pos = 0;
  let bytes = 0;
  buf.writeUInt32LE(0xa1b2c3d4, 0); buf.writeUInt16LE(2, 4); buf.writeUInt16LE(4, 6);
  buf.writeUInt32LE(262144, 16); buf.writeUInt32LE(1, 20);
  pos = 24;
  let usec = 0;
  let written = 0;
  const frame = (conn: number, toServer: boolean, flags: number, seq: number, ack: number, payload: number): void => {
    const len = 14 + 20 + 20 + payload;
    if (pos + 16 + len > buf.length) { writeSync(fd, buf, 0, pos); bytes += pos; pos = 0; }
    usec += 50;
    const ts = t0 + Math.floor(usec / 1e6);
    buf.writeUInt32LE(ts, pos); buf.writeUInt32LE(usec % 1e6, pos + 4);
    buf.writeUInt32LE(len, pos + 8); buf.writeUInt32LE(len, pos + 12);
    let o = pos + 16;
    buf.fill(0, o, o + len);
    buf[o + 5] = toServer ? 2 : 1; buf[o + 11] = toServer ? 1 : 2;
    buf.writeUInt16BE(0x0800, o + 12);
    o += 14;
    buf[o] = 0x45; buf.writeUInt16BE(40 + payload, o + 2); buf[o + 8] = 64; buf[o + 9] = 6;
    const client = [10, 0, 1 + (conn >> 8), conn & 255];
    const server = [10, 9, 9, 9];
    buf.set(toServer ? client : server, o + 12); buf.set(toServer ? server : client, o + 16);
    o += 20;
    buf.writeUInt16BE(toServer ? 40000 + conn : 443, o); buf.writeUInt16BE(toServer ? 443 : 40000 + conn, o + 2);
    buf.writeUInt32BE(seq >>> 0, o + 4); buf.writeUInt32BE(ack >>> 0, o + 8);
    buf[o + 12] = 5 << 4; buf[o + 13] = flags; buf.writeUInt16BE(64240, o + 14);
    pos = o + 20 + payload;
    written++;
  };
  const CONNS = 200;
  const seqs = new Array<number>(CONNS).fill(0);
  for (let c = 0; c < CONNS && written < packets; c++) {
    frame(c, true, 0x02, 1000, 0, 0);
    frame(c, false, 0x12, 5000, 1001, 0);
    frame(c, true, 0x10, 1001, 5001, 0);
    seqs[c] = 5001;
  }
  for (let i = 0; written < packets; i++) {
    const c = i % CONNS;
    frame(c, false, 0x18, seqs[c], 1001, 64);
    seqs[c] += 64;
    if (i % 2 === 1) frame(c, true, 0x10, 1001, seqs[c], 0);
  }
  writeSync(fd, buf, 0, pos);
  bytes += pos;
  closeSync(fd);
  return { packets: written, bytes };
}
