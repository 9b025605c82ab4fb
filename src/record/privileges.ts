/**
 * Who go runs as, and whether we may capture. Under sudo, go must run as the invoking user
 * (SUDO_UID/SUDO_GID) with that user's HOME, so the diagnosis is of their module cache and their
 * `go env -w` settings — not root's. tcpdump needs root or CAP_NET_RAW (+CAP_NET_ADMIN for some
 * interfaces); when it cannot capture we say so before go runs, with the three ways out.
 */
import { readFileSync } from 'node:fs';

export interface RunAs {
  uid: number;
  gid: number;
  name: string | null;
  home: string | null;
  /** True when we switch from root to the invoking sudo user. */
  sudo: boolean;
}

interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

export function readPasswd(file = '/etc/passwd'): PasswdEntry[] {
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .map((l) => l.split(':'))
      .filter((f) => f.length >= 7)
      .map((f) => ({ name: f[0], uid: Number(f[2]), gid: Number(f[3]), home: f[5] }));
  } catch {
    return [];
  }
}

/**
 * The user go should run as. Root with SUDO_UID set (and not `--as-root`): the sudo user.
 * Otherwise ourselves.
 */
export function resolveRunAs(env: NodeJS.ProcessEnv = process.env, opts: { asRoot?: boolean; passwd?: PasswdEntry[] } = {}): RunAs {
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  const gid = typeof process.getgid === 'function' ? process.getgid() : 0;
  const passwd = opts.passwd ?? readPasswd();
  const sudoUid = Number(env.SUDO_UID);
  if (uid === 0 && !opts.asRoot && env.SUDO_UID && Number.isInteger(sudoUid) && sudoUid > 0) {
    const entry = passwd.find((p) => p.uid === sudoUid);
    const sudoGid = Number(env.SUDO_GID);
    return {
      uid: sudoUid,
      gid: Number.isInteger(sudoGid) && env.SUDO_GID ? sudoGid : entry?.gid ?? sudoUid,
      name: env.SUDO_USER ?? entry?.name ?? null,
      home: entry?.home ?? null,
      sudo: true,
    };
  }
  const me = passwd.find((p) => p.uid === uid);
  return { uid, gid, name: env.USER ?? me?.name ?? null, home: env.HOME ?? me?.home ?? null, sudo: false };
}

/**
 * go's environment: ours, and under sudo the invoking user's identity (HOME, USER, LOGNAME) and
 * none of sudo's own variables. GOFLAGS is handled by the caller.
 */
export function goEnvironment(base: NodeJS.ProcessEnv, runAs: RunAs, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  if (runAs.sudo) {
    for (const k of ['SUDO_UID', 'SUDO_GID', 'SUDO_USER', 'SUDO_COMMAND', 'SUDO_PS1', 'MAIL']) delete env[k];
    if (runAs.home) env.HOME = runAs.home;
    if (runAs.name) {
      env.USER = runAs.name;
      env.LOGNAME = runAs.name;
    }
    // root's XDG/GOPATH guesses must not leak into the user's go.
    for (const k of ['XDG_CONFIG_HOME', 'XDG_CACHE_HOME']) if (env[k]?.startsWith('/root')) delete env[k];
  }
  return { ...env, ...extra };
}

/** Under sudo, warn when the user's proxy variables look dropped by sudo's env_reset. */
export function sudoEnvWarning(env: NodeJS.ProcessEnv, runAs: RunAs): string | null {
  if (!runAs.sudo) return null;
  const kept = ['GOPROXY', 'GOFLAGS', 'GOPRIVATE', 'HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'].filter((k) => env[k] !== undefined);
  if (kept.length > 0) return null;
  return `running go as ${runAs.name ?? `uid ${runAs.uid}`} (HOME=${runAs.home ?? '?'}); sudo dropped the environment, so only \`go env -w\` settings apply — use \`sudo -E\` to keep GOPROXY / HTTPS_PROXY variables`;
}

/** What to tell a user whose tcpdump cannot capture. */
export function captureFixHint(): string {
  return 'to capture, run with sudo, or give tcpdump the capabilities once: `sudo setcap cap_net_raw,cap_net_admin=eip $(command -v tcpdump)`, or record without packets: --no-capture';
}
