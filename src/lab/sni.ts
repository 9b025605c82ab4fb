/**
 * Just enough TLS parsing for the lab's own logs: is this the start of a ClientHello, and which
 * server name (SNI) does it carry? Bounded by the bytes present; anything unexpected gives null.
 */

export interface ClientHelloInfo {
  /** TLS record version as two bytes, e.g. 0x0301. */
  recordVersion: number;
  /** Server name from the server_name extension, if present. */
  sni: string | null;
}

export function parseClientHello(buf: Uint8Array): ClientHelloInfo | null {
  // record header: type 22 (handshake), version(2), length(2); handshake type 1 (ClientHello)
  if (buf.length < 9 || buf[0] !== 22 || buf[5] !== 1) return null;
  const recordVersion = (buf[1] << 8) | buf[2];
  const end = Math.min(buf.length, 5 + ((buf[3] << 8) | buf[4]));
  let p = 9 + 2 + 32; // handshake header(4) + client version(2) + random(32)
  const u8 = (at: number) => (at < end ? buf[at] : -1);
  const u16 = (at: number) => (at + 1 < end ? (buf[at] << 8) | buf[at + 1] : -1);
  const sid = u8(p); if (sid < 0) return { recordVersion, sni: null };
  p += 1 + sid;
  const suites = u16(p); if (suites < 0) return { recordVersion, sni: null };
  p += 2 + suites;
  const comp = u8(p); if (comp < 0) return { recordVersion, sni: null };
  p += 1 + comp;
  const extLen = u16(p); if (extLen < 0) return { recordVersion, sni: null };
  p += 2;
  const extEnd = Math.min(end, p + extLen);
  while (p + 4 <= extEnd) {
    const type = (buf[p] << 8) | buf[p + 1];
    const len = (buf[p + 2] << 8) | buf[p + 3];
    const body = p + 4;
    if (body + len > extEnd) break;
    if (type === 0 && len >= 5) {
      // server_name_list length(2), name type(1) = 0 host_name, name length(2), name
      const nameLen = (buf[body + 3] << 8) | buf[body + 4];
      if (buf[body + 2] === 0 && body + 5 + nameLen <= body + len) {
        return { recordVersion, sni: Buffer.from(buf.subarray(body + 5, body + 5 + nameLen)).toString('latin1') };
      }
    }
    p = body + len;
  }
  return { recordVersion, sni: null };
}
