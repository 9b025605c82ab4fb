/**
 * Finding the programs `record` drives (go, tcpdump, strace, setpriv), their versions, and what to
 * install when one is missing. Lookups walk PATH ourselves so that tests can put fakes first on
 * PATH.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { execFile } from 'node:child_process';
import { UsageError } from '../cli/errors.js';

export type ToolName = 'go' | 'tcpdump' | 'strace' | 'setpriv';

/** Debian/Ubuntu package that provides each tool. */
export const DEBIAN_PACKAGE: Record<ToolName, string> = {
  go: 'golang-go',
  tcpdump: 'tcpdump',
  strace: 'strace',
  setpriv: 'util-linux',
};

export interface ToolInfo {
  name: ToolName;
  /** Absolute path, or null when not found on PATH. */
  path: string | null;
  /** Version as the tool prints it, e.g. 'go1.19.8', '4.99.3', '6.1'; null when unknown. */
  version: string | null;
  /** The raw first line of the version output (for meta.json), or the error text. */
  versionLine: string | null;
}

/** First executable regular file called `name` on `pathEnv` (defaults to $PATH). */
export function which(name: string, pathEnv: string | undefined = process.env.PATH): string | null {
  if (name.includes('/')) return isExecutable(name) ? name : null;
  for (const dir of (pathEnv ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return null;
}

function isExecutable(p: string): boolean {
  try {
    if (!statSync(p).isFile()) return false;
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

const VERSION_ARGS: Record<ToolName, string[]> = {
  go: ['version'],
  tcpdump: ['--version'],
  strace: ['-V'],
  setpriv: ['--version'],
};

/** Pull the version number out of each tool's own banner. */
export function parseVersion(name: ToolName, text: string): string | null {
  const patterns: Record<ToolName, RegExp> = {
    // "go version go1.19.8 linux/amd64", "go version devel go1.22-abc …"
    go: /\b(go\d+(?:\.\d+){0,2}(?:rc\d+|beta\d+)?)\b/,
    // "tcpdump version 4.99.3"
    tcpdump: /tcpdump version (\d+(?:\.\d+)*)/,
    // "strace -- version 6.1" (5.x and 6.x), older "strace -- version 4.26"
    strace: /strace\b.*?version (\d+(?:\.\d+)*)/,
    // "setpriv from util-linux 2.38.1"
    setpriv: /util-linux (\d+(?:\.\d+)*)/,
  };
  const m = patterns[name].exec(text);
  return m ? m[1] : null;
}

/** Run `tool --version` (bounded to 5 s) and parse it. */
export function toolVersion(name: ToolName, path: string, env: NodeJS.ProcessEnv = process.env): Promise<{ version: string | null; line: string | null }> {
  return new Promise((resolve) => {
    execFile(path, VERSION_ARGS[name], { timeout: 5000, env, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      const text = `${stdout ?? ''}\n${stderr ?? ''}`;
      const version = parseVersion(name, text);
      const line = text.split('\n').map((l) => l.trim()).find((l) => l.length > 0) ?? (err ? err.message : null);
      resolve({ version, line: line ?? null });
    });
  });
}

export async function findTool(name: ToolName, env: NodeJS.ProcessEnv = process.env): Promise<ToolInfo> {
  const path = which(name, env.PATH);
  if (!path) return { name, path: null, version: null, versionLine: null };
  const v = await toolVersion(name, path, env);
  return { name, path, version: v.version, versionLine: v.line };
}

/** A one-line message for a missing tool, naming the package that provides it. */
export function missingToolMessage(name: ToolName, why: string): string {
  return `${name} not found on PATH (${why}); install it, e.g. \`apt-get install ${DEBIAN_PACKAGE[name]}\` on Debian/Ubuntu`;
}

export function requireTool(info: ToolInfo, why: string): string {
  if (!info.path) throw new UsageError(missingToolMessage(info.name, why));
  return info.path;
}

/** Compare dotted versions: negative when a < b. Missing parts count as 0. */
export function compareVersions(a: string, b: string): number {
  const pa = a.replace(/^go/, '').split('.').map((x) => parseInt(x, 10) || 0);
  const pb = b.replace(/^go/, '').split('.').map((x) => parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** strace learned --seccomp-bpf in 5.3. */
export function straceHasSeccomp(version: string | null): boolean {
  return version !== null && compareVersions(version, '5.3') >= 0;
}
