/**
 * `gomod-trace doctor`: what `record` needs (go, tcpdump, strace, setpriv, the right to capture)
 * and what in the Go and network settings looks risky, one finding per row with one hint each.
 * The pure parts (go env, resolv.conf, /proc/locks) take text and return findings so they test
 * without a machine; `runDoctor` gathers the inputs.
 */
import { readFileSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { findTool, straceHasSeccomp, DEBIAN_PACKAGE, type ToolInfo, type ToolName } from './tools.js';
import { CaptureProcess, CaptureStartError } from './capture.js';
import { goEnvJson, redactCredentials, PROXY_VARS } from './bundle.js';
import { captureFixHint } from './privileges.js';

export type DoctorStatus = 'ok' | 'info' | 'warn' | 'fail';

export interface DoctorFinding {
  /** Stable id, e.g. 'tool.go', 'capture', 'env.GOPROXY', 'dns.servers'. */
  id: string;
  check: string;
  status: DoctorStatus;
  value: string;
  hint: string | null;
}

export interface DoctorReport {
  schema: 'gomod-trace/doctor';
  version: 1;
  /** False when something `record` needs is missing (a 'fail' finding). */
  ok: boolean;
  findings: DoctorFinding[];
}

export function toolFinding(t: ToolInfo, required: string): DoctorFinding {
  if (!t.path) {
    return { id: `tool.${t.name}`, check: t.name, status: t.name === 'go' || t.name === 'tcpdump' ? 'fail' : 'warn', value: 'not found on PATH', hint: `${required}; install it: apt-get install ${DEBIAN_PACKAGE[t.name as ToolName]}` };
  }
  let hint: string | null = null;
  let status: DoctorStatus = 'ok';
  if (t.name === 'strace' && !straceHasSeccomp(t.version)) {
    status = 'warn';
    hint = 'strace older than 5.3: no --seccomp-bpf, so --strace slows go down more';
  }
  if (t.version === null) {
    status = 'warn';
    hint = `could not read its version (${t.versionLine ?? 'no output'})`;
  }
  return { id: `tool.${t.name}`, check: t.name, status, value: `${t.version ?? '?'} (${t.path})`, hint };
}

/** Findings from `go env -json` and the proxy variables. */
export function goEnvFindings(goEnv: Record<string, string>, env: NodeJS.ProcessEnv): DoctorFinding[] {
  const out: DoctorFinding[] = [];
  const add = (id: string, check: string, status: DoctorStatus, value: string, hint: string | null): void => {
    out.push({ id, check, status, value: redactCredentials(value), hint });
  };
  const goproxy = (goEnv.GOPROXY ?? '').trim();
  const entries = goproxy.split(/[,|]/).map((s) => s.trim()).filter(Boolean);
  if (goproxy === '' || entries[0] === 'off') {
    add('env.GOPROXY', 'GOPROXY', 'fail', goproxy || '(empty)', 'GOPROXY=off forbids module downloads: go fails with "module lookup disabled by GOPROXY=off"');
  } else if (entries.length === 1 && entries[0] === 'direct') {
    add('env.GOPROXY', 'GOPROXY', 'warn', goproxy, 'direct only: every module is fetched from its origin with git/hg, which needs network access to each host and can prompt for credentials');
  } else if (!entries.includes('direct') && !entries.includes('off') && entries.length === 1) {
    add('env.GOPROXY', 'GOPROXY', 'warn', goproxy, 'a single mirror without a fallback: when it is down or silent every download stalls; add ",direct" (on 404/410) or "|direct" (on any error) if policy allows');
  } else {
    const last = entries[entries.length - 1];
    add('env.GOPROXY', 'GOPROXY', 'ok', goproxy, last === 'off' ? 'ends with off: modules missing from the mirrors fail instead of going direct' : null);
  }
  const sumdb = (goEnv.GOSUMDB ?? '').trim();
  if (sumdb === 'off') add('env.GOSUMDB', 'GOSUMDB', 'warn', sumdb, 'checksum database off: downloads are not verified against sum.golang.org (no sumdb traffic either)');
  else add('env.GOSUMDB', 'GOSUMDB', 'ok', sumdb || 'sum.golang.org', 'go also fetches from the checksum database: a silent sumdb host stalls downloads too');
  for (const k of ['GOPRIVATE', 'GONOPROXY', 'GONOSUMDB']) {
    const v = (goEnv[k] ?? '').trim();
    if (!v) continue;
    const hint = k === 'GONOSUMDB'
      ? 'these paths skip the checksum database'
      : 'these paths skip GOPROXY and are fetched with git directly: git must reach them without a password or host-key prompt';
    add(`env.${k}`, k, 'info', v, hint);
  }
  const goflags = (goEnv.GOFLAGS ?? '').trim();
  // go 1.19: the commands that load packages honour -mod=vendor; go mod download, go get and go mod tidy ignore it.
  if (goflags) add('env.GOFLAGS', 'GOFLAGS', 'info', goflags, /-mod=vendor/.test(goflags) ? '-mod=vendor: go build, go test and go list read vendor/ and download nothing; go mod download (record\'s default), go get and go mod tidy ignore it and still fetch' : 'applies to every go command; record keeps these and adds -x');
  const toolchain = (goEnv.GOTOOLCHAIN ?? '').trim();
  if (toolchain) {
    const auto = toolchain === 'auto' || toolchain.endsWith('+auto');
    add('env.GOTOOLCHAIN', 'GOTOOLCHAIN', auto ? 'info' : 'ok', toolchain, auto ? 'a go.mod asking for a newer go makes go download a toolchain first (golang.org/toolchain, ~70 MB) — a long silent fetch' : null);
  }
  const insecure = (goEnv.GOINSECURE ?? '').trim();
  if (insecure) add('env.GOINSECURE', 'GOINSECURE', 'warn', insecure, 'these paths may be fetched over plain HTTP');
  const proxies = PROXY_VARS.filter((k) => env[k]);
  const proxyVars = proxies.filter((k) => !/no_proxy/i.test(k));
  if (proxyVars.length > 0) {
    const value = proxyVars.map((k) => `${k}=${env[k]}`).join(' ');
    add('env.proxy', 'HTTPS_PROXY', 'info', value, 'go tunnels HTTPS through this proxy (CONNECT): a stall there shows as proxy-connect; a 407 means missing credentials');
    const noProxy = env.NO_PROXY ?? env.no_proxy;
    const hosts = entries.filter((e) => /^https?:\/\//.test(e)).map((e) => {
      try {
        return new URL(e).hostname;
      } catch {
        return null;
      }
    }).filter((h): h is string => !!h);
    if (noProxy !== undefined) add('env.NO_PROXY', 'NO_PROXY', 'info', noProxy, hosts.some((h) => noProxyCovers(noProxy, h)) ? 'covers your GOPROXY host: go talks to it directly' : 'does not cover the GOPROXY hosts: they go through the proxy');
  } else if (env.NO_PROXY ?? env.no_proxy) {
    add('env.NO_PROXY', 'NO_PROXY', 'info', (env.NO_PROXY ?? env.no_proxy) as string, 'set, but no HTTP(S)_PROXY: it has no effect');
  }
  return out;
}

/** Whether a NO_PROXY list exempts `host` (suffix match, leading dot optional, '*' for all). */
export function noProxyCovers(noProxy: string, host: string): boolean {
  return noProxy.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean).some((p) => {
    if (p === '*') return true;
    const bare = p.replace(/^\*?\./, '').replace(/:\d+$/, '');
    const h = host.toLowerCase();
    return h === bare || h.endsWith(`.${bare}`);
  });
}

/** Findings from /etc/resolv.conf: servers, search list, timeout and attempts. */
export function resolvFindings(text: string | null): DoctorFinding[] {
  if (text === null) return [{ id: 'dns.servers', check: 'resolv.conf', status: 'warn', value: 'unreadable', hint: 'go falls back to 127.0.0.1:53 and ::1:53 without it' }];
  const servers: string[] = [];
  let search: string[] = [];
  let timeout = 5;
  let attempts = 2;
  let ndots = 1;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const [key, ...rest] = line.split(/\s+/);
    if (key === 'nameserver' && rest[0]) servers.push(rest[0]);
    else if (key === 'search' || key === 'domain') search = rest;
    else if (key === 'options') {
      for (const o of rest) {
        const m = /^(timeout|attempts|ndots):(\d+)$/.exec(o);
        if (m) {
          const n = Number(m[2]);
          if (m[1] === 'timeout') timeout = n;
          else if (m[1] === 'attempts') attempts = n;
          else ndots = n;
        }
      }
    }
  }
  const out: DoctorFinding[] = [];
  if (servers.length === 0) out.push({ id: 'dns.servers', check: 'DNS servers', status: 'warn', value: 'none in resolv.conf', hint: 'go then asks 127.0.0.1:53 and ::1:53' });
  else {
    const stub = servers.every((s) => s.startsWith('127.'));
    out.push({ id: 'dns.servers', check: 'DNS servers', status: 'ok', value: servers.join(' '), hint: stub ? 'a local stub resolver: a stall there shows as DNS to 127.0.0.x, the real upstream is behind it' : `a silent server costs ${timeout} s × ${attempts} attempts per lookup before go gives up` });
  }
  if (search.length > 0 && ndots > 1) out.push({ id: 'dns.search', check: 'DNS search', status: 'info', value: `${search.join(' ')} (ndots:${ndots})`, hint: 'names with fewer dots than ndots are tried with each search suffix first: extra lookups, each able to time out' });
  if (timeout * attempts > 30) out.push({ id: 'dns.timeout', check: 'DNS timeout', status: 'warn', value: `timeout:${timeout} attempts:${attempts}`, hint: 'a silent DNS server makes each lookup hang this long' });
  return out;
}

/** Module-cache locks held right now, from /proc/locks matched to open files under the cache. */
export function heldCacheLocks(modcache: string, procLocks: string | null = readText('/proc/locks')): { pid: number; path: string; command: string | null }[] {
  if (!procLocks || !modcache) return [];
  const out: { pid: number; path: string; command: string | null }[] = [];
  for (const line of procLocks.split('\n')) {
    // "1: FLOCK  ADVISORY  WRITE 1234 00:2e:5678 0 EOF" (a "->" marks a waiter, not a holder)
    const m = /^\d+:\s+(FLOCK|POSIX|OFDLCK)\s+\S+\s+\S+\s+(-?\d+)\s+([0-9a-f]+):([0-9a-f]+):(\d+)\s/.exec(line.trim());
    if (!m || line.includes('->')) continue;
    const pid = Number(m[2]);
    const inode = Number(m[5]);
    const path = findOpenFile(pid, inode, modcache);
    if (path) out.push({ pid, path, command: readText(`/proc/${pid}/comm`)?.trim() ?? null });
  }
  return out;
}

function findOpenFile(pid: number, inode: number, under: string): string | null {
  let fds: string[];
  try {
    fds = readdirSafe(`/proc/${pid}/fd`);
  } catch {
    return null;
  }
  for (const fd of fds) {
    try {
      const st = statSync(`/proc/${pid}/fd/${fd}`);
      if (st.ino !== inode) continue;
      const target = readlinkSafe(`/proc/${pid}/fd/${fd}`);
      if (target && target.startsWith(under)) return target;
    } catch {
      /* closed meanwhile */
    }
  }
  return null;
}

function readdirSafe(p: string): string[] {
  try {
    return readdirSync(p);
  } catch {
    return [];
  }
}
function readlinkSafe(p: string): string | null {
  try {
    return readlinkSync(p);
  } catch {
    return null;
  }
}
function readText(p: string): string | null {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return null;
  }
}

/** Can tcpdump capture here? Starts it for real (on `any`, writing to /dev/null) and stops it. */
export async function probeCapture(tcpdump: string, version: string | null, env: NodeJS.ProcessEnv, setpriv: string | null = null): Promise<DoctorFinding> {
  try {
    const cap = await CaptureProcess.start({ tcpdump, file: '/dev/null', interface: 'any', filter: 'udp port 9', startTimeoutMs: 5000, env, version, setpriv });
    await cap.stop(2000, 0);
    return { id: 'capture', check: 'capture permission', status: 'ok', value: 'tcpdump can capture on any', hint: null };
  } catch (err) {
    const msg = err instanceof CaptureStartError ? err.message : (err as Error).message;
    return { id: 'capture', check: 'capture permission', status: 'fail', value: msg.slice(0, 200), hint: captureFixHint() };
  }
}

export interface DoctorOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  resolvConf?: string;
  /** Skip starting tcpdump (--no-probe, tests): the `capture` finding then says it was not checked. */
  probeCapture?: boolean;
}

export async function runDoctor(opts: DoctorOptions = {}): Promise<DoctorReport> {
  const env = opts.env ?? process.env;
  const findings: DoctorFinding[] = [];
  const [go, tcpdump, strace, setpriv] = await Promise.all((['go', 'tcpdump', 'strace', 'setpriv'] as const).map((t) => findTool(t, env)));
  findings.push(toolFinding(go, 'record runs go'));
  findings.push(toolFinding(tcpdump, 'record captures packets with it (or use --no-capture)'));
  findings.push(toolFinding(strace, 'record --strace needs it (file locks, git prompts)'));
  findings.push(toolFinding(setpriv, 'without it tcpdump outlives a record that is killed (SIGKILL, out of memory) and captures on'));
  if (tcpdump.path) {
    findings.push(opts.probeCapture !== false
      ? await probeCapture(tcpdump.path, tcpdump.version, env, setpriv.path)
      : { id: 'capture', check: 'capture permission', status: 'info', value: 'not checked (--no-probe)', hint: 'doctor without --no-probe starts tcpdump to check it; record --no-capture records without it' });
  }
  if (go.path) {
    const ge = await goEnvJson(go.path, env, opts.cwd ?? process.cwd());
    if (ge.env) {
      findings.push(...goEnvFindings(ge.env, env));
      const modcache = ge.env.GOMODCACHE;
      if (modcache) {
        const held = heldCacheLocks(modcache);
        findings.push(held.length > 0
          ? { id: 'cache.locks', check: 'module cache locks', status: 'warn', value: held.map((h) => `${h.command ?? '?'} (pid ${h.pid}) holds ${h.path}`).join('; ').slice(0, 400), hint: 'another go or gopls holds a cache lock now: a download of the same module waits for it' }
          : { id: 'cache.locks', check: 'module cache locks', status: 'ok', value: `none held in ${modcache}`, hint: null });
      }
    } else {
      findings.push({ id: 'env.go', check: 'go env', status: 'fail', value: redactCredentials(ge.error ?? 'failed'), hint: 'go env -json failed: fix the go installation or its settings first' });
    }
  }
  findings.push(...resolvFindings(readText(opts.resolvConf ?? '/etc/resolv.conf')));
  return { schema: 'gomod-trace/doctor', version: 1, ok: !findings.some((f) => f.status === 'fail'), findings };
}
