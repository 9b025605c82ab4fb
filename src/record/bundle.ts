/**
 * The bundle `record` leaves behind: one folder with capture.pcap, go.log, strace.log, env.json,
 * meta.json (and report.json / report.html from the analyzer). `gomod-trace analyze DIR` reads it.
 */
import type { StoppedProcess } from './snapshot.js';
import { mkdirSync, readdirSync, renameSync, unlinkSync, writeFileSync, chownSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execFile } from 'node:child_process';
import { UsageError, describeFsError, errnoReason } from '../cli/errors.js';
import { makeDirectories, temporaryPath } from '../io/files.js';

export const BUNDLE_SCHEMA = 'gomod-trace/bundle' as const;
export const BUNDLE_VERSION = 1 as const;

export const BUNDLE_FILES = {
  capture: 'capture.pcap',
  redactedCapture: 'capture.redacted.pcap',
  goLog: 'go.log',
  strace: 'strace.log',
  env: 'env.json',
  meta: 'meta.json',
  reportJson: 'report.json',
  reportHtml: 'report.html',
} as const;

/** Proxy-related variables copied into env.json (credentials redacted). */
export const PROXY_VARS = ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'ALL_PROXY', 'http_proxy', 'https_proxy', 'no_proxy', 'all_proxy'];

export interface BundleMeta {
  schema: typeof BUNDLE_SCHEMA;
  version: typeof BUNDLE_VERSION;
  generator: string;
  /** The go command as run (credentials in URLs redacted). */
  command: string[];
  cwd: string;
  versions: { go: string | null; tcpdump: string | null; strace: string | null; kernel: string; node: string };
  /** ISO time and epoch seconds. */
  start: { iso: string; epoch: number };
  end: { iso: string; epoch: number } | null;
  exit: { code: number | null; signal: string | null; status: number };
  /** 'go-exited' | 'timeout' | 'stall' | 'signal:SIGINT' | 'error' … */
  stoppedBy: string;
  /** Seconds given to --timeout / --stall-after, when set. */
  limits: { timeout: number | null; stallAfter: number | null };
  capture: {
    file: string;
    interface: string;
    filter: string | null;
    snaplen: number;
    captured: number | null;
    receivedByFilter: number | null;
    droppedByKernel: number | null;
    /** With --redact-capture: the shareable copy (null when it could not be written). */
    redacted?: string | null;
    /** Whether capture.pcap is still in the bundle (--drop-raw-capture removes it). */
    rawKept?: boolean;
  } | null;
  /** What the user must know before sharing the bundle (e.g. that capture.pcap holds raw traffic). */
  notices?: string[];
  strace: { file: string; command: string; syscalls: string } | null;
  /** Whom go ran as (under sudo: the invoking user). */
  user: { uid: number; gid: number; name: string | null; home: string | null; sudo: boolean };
  /** Module-cache locks held by other processes when gomod-trace stopped go (from /proc/locks). */
  locks?: { path: string; pid: number; command: string | null }[];
  /**
   * When gomod-trace stopped go: go and its children, each with the system calls its threads were
   * blocked in and the file behind the fd (src/record/snapshot.ts). Evidence without --strace.
   */
  stopped?: StoppedProcess[];
  warnings: string[];
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** `gomod-trace-YYYYmmdd-HHMMSS` in local time. */
export function defaultBundleName(d = new Date()): string {
  return `gomod-trace-${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}-${pad(d.getHours())}${pad(d.getMinutes())}${pad(d.getSeconds())}`;
}

/**
 * Create the bundle folder. `--out DIR` may name a new or an empty folder; the default name gets a
 * `-2`, `-3` … suffix if taken. Fails with a UsageError (exit 2) before anything runs.
 */
export function createBundleDir(out: string | undefined, cwd = process.cwd()): string {
  if (out !== undefined) {
    const dir = resolve(cwd, out);
    try {
      makeDirectories(dir);
      if (!statSync(dir).isDirectory()) throw new UsageError(`--out ${out}: not a directory`);
      const entries = readdirSync(dir);
      if (entries.length > 0) throw new UsageError(`--out ${out}: folder is not empty (${entries.length} ${entries.length === 1 ? 'entry' : 'entries'}); name a new or empty folder`);
      probeWritable(dir);
    } catch (err) {
      throw asUsage(err, `--out ${out}`, dir);
    }
    return dir;
  }
  const base = resolve(cwd, defaultBundleName());
  for (let i = 1; i < 100; i++) {
    const dir = i === 1 ? base : `${base}-${i}`;
    try {
      mkdirSync(dir);
      probeWritable(dir);
      return dir;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw asUsage(err, 'cannot create the bundle folder');
    }
  }
  throw new UsageError(`cannot create the bundle folder: ${base}-N all taken; use --out DIR`);
}

function probeWritable(dir: string): void {
  // Leave a placeholder meta.json: a bundle interrupted before the end still says what it is.
  writeFileSync(join(dir, BUNDLE_FILES.meta), JSON.stringify({ schema: BUNDLE_SCHEMA, version: BUNDLE_VERSION, incomplete: true }) + '\n');
}

/** `what` names the folder `named`: an error about that very folder says only why (not the path again). */
function asUsage(err: unknown, what: string, named?: string): Error {
  if (err instanceof UsageError) return err;
  const e = err as NodeJS.ErrnoException;
  const fs = e.path !== undefined && e.path === named ? errnoReason(e.code) : describeFsError(err);
  return new UsageError(`${what}: ${fs ?? e.message}`, { cause: err });
}

/** `scheme://user:pass@host` → `scheme://***@host`, anywhere in the text. */
export function redactCredentials(text: string): string {
  return text.replace(/\b([a-zA-Z][a-zA-Z0-9+.-]*:\/\/)[^/\s@,|]*@/g, '$1***@');
}

/** `go env -json` as the user would see it (bounded to 15 s). */
export function goEnvJson(go: string, env: NodeJS.ProcessEnv, cwd: string, ids?: { uid: number; gid: number }): Promise<{ env: Record<string, string> | null; error: string | null }> {
  return new Promise((resolvePromise) => {
    execFile(go, ['env', '-json'], { env, cwd, timeout: 15_000, maxBuffer: 4 << 20, ...(ids ?? {}) }, (err, stdout, stderr) => {
      try {
        const parsed = JSON.parse(stdout) as Record<string, unknown>;
        const out: Record<string, string> = {};
        for (const [k, v] of Object.entries(parsed)) out[k] = String(v);
        resolvePromise({ env: out, error: err ? String(stderr || err.message).trim().slice(0, 500) : null });
      } catch {
        resolvePromise({ env: null, error: String(stderr || err?.message || 'go env -json printed no JSON').trim().slice(0, 500) });
      }
    });
  });
}

/** env.json: go's view of its settings plus the proxy variables, every value redacted. */
export function envDocument(goEnv: Record<string, string> | null, goEnvError: string | null, env: NodeJS.ProcessEnv): Record<string, unknown> {
  const redactAll = (o: Record<string, string>): Record<string, string> =>
    Object.fromEntries(Object.entries(o).map(([k, v]) => [k, redactCredentials(v)]));
  const proxy: Record<string, string> = {};
  for (const k of PROXY_VARS) if (env[k] !== undefined) proxy[k] = env[k] as string;
  return {
    go: goEnv ? redactAll(goEnv) : null,
    goEnvError: goEnvError ? redactCredentials(goEnvError) : null,
    proxy: redactAll(proxy),
  };
}

export function writeJson(file: string, value: unknown): void {
  writeFileWhole(file, JSON.stringify(value, null, 2) + '\n');
}

/**
 * Write `text` to a temporary file beside `file` and rename it into place: a full disk or a kill
 * half-way leaves the old file or none, never a cut one (report.json is a contract users script
 * against). The temporary file is removed when the write fails; the error is thrown on.
 */
export function writeFileWhole(file: string, text: string): void {
  const tmp = temporaryPath(file);
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  } catch (err) {
    try { unlinkSync(tmp); } catch { /* not made, or already gone */ }
    // Name the file the user knows, not the temporary one.
    const e = err as NodeJS.ErrnoException;
    if (e && e.path === tmp) e.path = file;
    throw err;
  }
}

/** Hand the bundle to the invoking user (under sudo). Best effort: returns the paths it could not chown. */
export function chownBundle(dir: string, uid: number, gid: number): string[] {
  const failed: string[] = [];
  const paths = [dir, ...safeList(dir).map((n) => join(dir, n))];
  for (const p of paths) {
    try {
      chownSync(p, uid, gid);
    } catch {
      failed.push(p);
    }
  }
  return failed;
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
