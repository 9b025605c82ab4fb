/**
 * Which packets are go's: the TCP and UDP sockets that go and its children (git, ssh) hold,
 * found the way ss(8) does — each process's /proc/PID/fd links name socket inodes, and the
 * process's own network namespace lists every socket with its inode and endpoints in
 * /proc/PID/net/{tcp,tcp6,udp,udp6}. `--stall-after` uses this so that other programs' traffic
 * on a busy `-i any` capture does not count as go making progress.
 *
 * Known limits: a socket opened and closed between two refreshes (a quick DNS lookup) is never
 * seen, so DNS (port 53) always counts as go's; tuples once seen are kept for the whole run.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { formatEndpoint, formatIp, formatIpEndpoint } from '../decode/address.js';
import { PacketDecoder } from '../decode/packet.js';

export interface ProcSocket {
  inode: number;
  local: string;
  remote: string;
}

/**
 * Parse a /proc/net/{tcp,udp}[6] table. Addresses are hex of 32-bit words in the kernel's
 * (host: little-endian on the x86 and arm64 machines this runs on) byte order, ports big-endian hex: `0100007F:1F90` is 127.0.0.1:8080.
 */
export function parseProcNet(text: string): ProcSocket[] {
  const out: ProcSocket[] = [];
  const lines = text.split('\n');
  for (let i = 1; i < lines.length; i++) {
    const f = lines[i].trim().split(/\s+/);
    if (f.length < 10) continue;
    const local = endpoint(f[1]);
    const remote = endpoint(f[2]);
    const inode = Number(f[9]);
    if (local === null || remote === null || !Number.isInteger(inode) || inode <= 0) continue;
    out.push({ inode, local, remote });
  }
  return out;
}

function endpoint(field: string): string | null {
  const m = /^([0-9A-Fa-f]{8}|[0-9A-Fa-f]{32}):([0-9A-Fa-f]{4})$/.exec(field);
  if (!m) return null;
  const hex = m[1];
  const bytes = new Uint8Array(hex.length / 2);
  // Each 32-bit word is printed as the number the kernel holds: its bytes reversed on x86.
  for (let w = 0; w < hex.length / 8; w++) {
    for (let b = 0; b < 4; b++) bytes[w * 4 + b] = parseInt(hex.slice(w * 8 + (3 - b) * 2, w * 8 + (3 - b) * 2 + 2), 16);
  }
  const port = parseInt(m[2], 16);
  // A dual-stack socket talking IPv4 lists the peer as ::ffff:a.b.c.d; the wire shows IPv4.
  if (bytes.length === 16 && bytes.subarray(0, 10).every((x) => x === 0) && bytes[10] === 0xff && bytes[11] === 0xff) {
    return formatEndpoint(formatIp(bytes.subarray(12)), port);
  }
  return formatEndpoint(formatIp(bytes), port);
}

/** The socket inodes a process holds open (empty when it is gone or unreadable). */
export function socketInodes(pid: number): number[] {
  const out: number[] = [];
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return out;
  }
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) out.push(Number(m[1]));
    } catch {
      /* closed meanwhile */
    }
  }
  return out;
}

/** Direction-independent key of a connection between two `ip:port` endpoints. */
export function tupleKey(a: string, b: string): string {
  return a < b ? `${a} ${b}` : `${b} ${a}`;
}

/** The 4-tuples go's process tree has used so far. */
export class ProcessSockets {
  private readonly tuples = new Set<string>();

  /** Look at the processes' sockets now; returns how many new 4-tuples were found. */
  refresh(pids: number[]): number {
    const inodes = new Set<number>();
    let netnsPid: number | null = null;
    for (const pid of pids) {
      const mine = socketInodes(pid);
      for (const i of mine) inodes.add(i);
      if (netnsPid === null && mine.length > 0) netnsPid = pid;
    }
    if (netnsPid === null) return 0;
    let added = 0;
    for (const table of ['tcp', 'tcp6', 'udp', 'udp6']) {
      let text: string;
      try {
        text = readFileSync(`/proc/${netnsPid}/net/${table}`, 'utf8');
      } catch {
        continue;
      }
      for (const s of parseProcNet(text)) {
        if (!inodes.has(s.inode) || s.remote.endsWith(':0')) continue; // unconnected (listening, unbound UDP)
        const key = tupleKey(s.local, s.remote);
        if (!this.tuples.has(key)) {
          this.tuples.add(key);
          added++;
        }
      }
    }
    return added;
  }

  has(a: string, b: string): boolean {
    return this.tuples.has(tupleKey(a, b));
  }

  get size(): number {
    return this.tuples.size;
  }
}

/**
 * A filter for the packets of a growing capture: true for go's progress — DNS (port 53) or a
 * 4-tuple `sockets` has seen go's process tree hold.
 */
export function goTrafficFilter(sockets: ProcessSockets): (data: Uint8Array, linkType: number) => boolean {
  const decoder = new PacketDecoder();
  return (data, linkType) => {
    const p = decoder.decode({
      frame: 0, tsSec: 0, tsNsec: 0, interfaceId: 0, linkType,
      capturedLength: data.length, originalLength: data.length, data, fileOffset: 0,
    });
    const ip = p.ip;
    const l4 = p.tcp ?? p.udp;
    if (ip === null || l4 === null) return false;
    if (l4.srcPort === 53 || l4.dstPort === 53) return true;
    return sockets.has(formatIpEndpoint(ip, 'src', l4.srcPort), formatIpEndpoint(ip, 'dst', l4.dstPort));
  };
}
