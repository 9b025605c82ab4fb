/** Socket addresses as strace prints them (sockaddr structs and -yy fd annotations) → `ip:port`. */

export interface SocketInfo {
  /** 'tcp' | 'udp' | 'unix' | 'netlink' | … when known. */
  protocol: string | null;
  local: string | null;
  remote: string | null;
}

export function endpoint(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** `{sa_family=AF_INET, sin_port=htons(443), sin_addr=inet_addr("1.2.3.4")}` → '1.2.3.4:443'. */
export function parseSockaddr(arg: string | undefined): { family: string; address: string | null } | null {
  if (!arg || !arg.startsWith('{')) return null;
  const fam = /sa_family=(AF_\w+)/.exec(arg);
  if (!fam) return null;
  const port = /sin6?_port=htons\((\d+)\)/.exec(arg);
  if (fam[1] === 'AF_INET') {
    const ip = /inet_addr\("([\d.]+)"\)/.exec(arg);
    return { family: 'inet', address: ip && port ? endpoint(ip[1], Number(port[1])) : null };
  }
  if (fam[1] === 'AF_INET6') {
    const ip = /inet_pton\(AF_INET6, "([0-9a-fA-F:.]+)"/.exec(arg);
    return { family: 'inet6', address: ip && port ? endpoint(ip[1], Number(port[1])) : null };
  }
  if (fam[1] === 'AF_UNIX') {
    const p = /sun_path=(@?"(?:[^"\\]|\\.)*")/.exec(arg);
    return { family: 'unix', address: p ? p[1] : null };
  }
  return { family: fam[1].slice(3).toLowerCase(), address: null };
}

/**
 * -yy annotation of a socket fd → endpoints. `TCP:[127.0.0.1:45678->127.0.0.1:8080]`,
 * `TCPv6:[[::1]:4->[::1]:5]`, `UDP:[10.0.0.2:5353]`, `TCP:[123456]` (inode only) → null endpoints.
 * Returns null when the annotation is not a socket (a path, a pipe, an anon inode).
 */
export function parseSocketNote(note: string): SocketInfo | null {
  const m = /^(TCP|UDP|TCPv6|UDPv6|UDPLITE|UDPLITEv6|SCTP|SCTPv6|RAW|RAWv6|UNIX|UNIX-STREAM|UNIX-DGRAM|UNIX-SEQPACKET|NETLINK|socket):\[(.*)\]$/.exec(note);
  if (!m) return null;
  const kind = m[1];
  const protocol = kind === 'socket' ? null : kind.replace(/v6$/, '').replace(/-.*/, '').toLowerCase();
  if (protocol === 'unix' || protocol === 'netlink' || protocol === null) return { protocol, local: null, remote: null };
  const inner = m[2];
  if (/^\d+$/.test(inner)) return { protocol, local: null, remote: null };
  const [a, b] = inner.split('->');
  return { protocol, local: normEndpoint(a), remote: b !== undefined ? normEndpoint(b) : null };
}

function normEndpoint(s: string | undefined): string | null {
  if (!s) return null;
  const v6 = /^\[([0-9a-fA-F:.]+)\]:(\d+)$/.exec(s);
  if (v6) return endpoint(v6[1], Number(v6[2]));
  const v4 = /^([\d.]+):(\d+)$/.exec(s);
  if (v4) return endpoint(v4[1], Number(v4[2]));
  return null;
}

/** socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_IP) → 'tcp'. */
export function socketProtocol(args: string[]): string | null {
  const [domain, type, proto] = args;
  if (domain === 'AF_UNIX' || domain === 'AF_LOCAL') return 'unix';
  if (domain === 'AF_NETLINK') return 'netlink';
  if (/SOCK_STREAM/.test(type ?? '')) return /IPPROTO_SCTP/.test(proto ?? '') ? 'sctp' : 'tcp';
  if (/SOCK_DGRAM/.test(type ?? '')) return 'udp';
  if (/SOCK_RAW/.test(type ?? '')) return 'raw';
  return null;
}
