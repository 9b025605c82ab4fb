/**
 * Run a command with its own /etc/resolv.conf, never touching the host's: `unshare -m` gives the
 * command a private mount namespace, and a bind mount there lays a lab resolv.conf over
 * /etc/resolv.conf. Go's resolver (GODEBUG=netdns=go) then asks the lab DNS server. Needs root
 * (or CAP_SYS_ADMIN). The network namespace is the host's, so tcpdump on `lo` sees the traffic.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';

export interface ResolvConfOptions {
  nameservers: string[];
  /** resolv.conf `options timeout:N` (seconds per try; glibc and Go default 5). */
  timeout?: number;
  /** resolv.conf `options attempts:N` (Go and glibc default 2). */
  attempts?: number;
  search?: string[];
  /** resolv.conf `options ndots:N`: names with fewer dots try the search list first (default 1). */
  ndots?: number;
}

export function resolvConfText(o: ResolvConfOptions): string {
  const lines = ['# gomod-trace lab resolv.conf (bind-mounted in a private mount namespace)'];
  for (const ns of o.nameservers) lines.push(`nameserver ${ns}`);
  if (o.search?.length) lines.push(`search ${o.search.join(' ')}`);
  const opts: string[] = [];
  if (o.timeout !== undefined) opts.push(`timeout:${o.timeout}`);
  if (o.attempts !== undefined) opts.push(`attempts:${o.attempts}`);
  if (o.ndots !== undefined) opts.push(`ndots:${o.ndots}`);
  if (opts.length) lines.push(`options ${opts.join(' ')}`);
  return lines.join('\n') + '\n';
}

/**
 * Write `dir/resolv.conf` (and `dir/nsswitch.conf` with `hosts: files dns`, so that no mDNS or
 * systemd module decides for go) and return the prefix that runs a command with them over /etc.
 */
export async function resolvConfWrap(dir: string, o: ResolvConfOptions): Promise<{ path: string; wrap: string[] }> {
  const path = join(dir, 'resolv.conf');
  await writeFile(path, resolvConfText(o));
  const binds: [string, string][] = [[path, '/etc/resolv.conf']];
  // A bind mount needs its target: systems without /etc/nsswitch.conf (musl) keep going without it.
  if (existsSync('/etc/nsswitch.conf')) {
    const nss = join(dir, 'nsswitch.conf');
    await writeFile(nss, 'hosts: files dns\n');
    binds.push([nss, '/etc/nsswitch.conf']);
  }
  return { path, wrap: wrapWithBinds(binds) };
}

/** Just /etc/resolv.conf. */
export function wrapWithResolvConf(resolvConfPath: string): string[] {
  return wrapWithBinds([[resolvConfPath, '/etc/resolv.conf']]);
}

/**
 * The prefix `unshare -m --propagation private -- sh -c 'mount --bind SRC DST && … && exec "$@"' sh`
 * followed by the command. `exec` keeps the command's pid the shell's, so signals reach it.
 * Paths go through positional parameters, never into the script text.
 */
export function wrapWithBinds(binds: [src: string, dst: string][]): string[] {
  const script = binds.map((_, i) => `mount --bind "$${2 * i + 1}" "$${2 * i + 2}"`).join(' && ') +
    ` && shift ${2 * binds.length} && exec "$@"`;
  return ['unshare', '-m', '--propagation', 'private', '--', 'sh', '-c', script, 'gomod-trace-lab', ...binds.flat()];
}

/** Whether this process may create a mount namespace and bind-mount (root in practice). */
export async function canIsolate(): Promise<{ ok: boolean; reason?: string }> {
  try {
    await execa('unshare', ['-m', '--propagation', 'private', '--', 'mount', '--bind', '/dev/null', '/dev/null'],
      { timeout: 10_000, stdin: 'ignore' });
    return { ok: true };
  } catch (err) {
    const e = err as { code?: string; stderr?: string };
    if (e.code === 'ENOENT') return { ok: false, reason: 'unshare(1) is missing (apt-get install util-linux)' };
    return { ok: false, reason: `cannot make a private mount namespace (run as root): ${(e.stderr ?? '').trim().split('\n')[0]}` };
  }
}
