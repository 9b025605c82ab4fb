/**
 * Feeds parsed strace events through the joiner, the process state and the classifier, and keeps
 * only what the report needs: blocked or slow calls (bounded by `maxRecords`), processes, and
 * counted anomalies. One instance per loadStrace run; lines come in time order (one file, or
 * several `-ff` files merged by time).
 */
import type { AnomalyRecord } from '../report/schema.js';
import type { LogLine } from './readlines.js';
import { parseFdArg, parseStringArray, splitArgs, unquote, type StraceEvent } from './line.js';
import { CallJoiner, type JoinedCall } from './join.js';
import { ProcessTree, type FdEntry, type FdTable, type ProcessState } from './state.js';
import { parseSockaddr, parseSocketNote, socketProtocol, type SocketInfo } from './sockets.js';
import { classify, decodeCacheLockPath, SLOW_SECONDS, type SyscallKind } from './classify.js';

export const MAX_RECORDS = 10000;
const MAX_ANOMALIES_PER_NAME = 20;
const MAX_TEXT = 400;

export interface KeptCall {
  pid: number;
  tid: number;
  command: string | null;
  name: string;
  start: number | null;
  duration: number | null;
  result: string | null;
  kind: SyscallKind;
  fd: number | null;
  path: string | null;
  module: string | null;
  /** Live reference: facts learnt later about the socket (getsockname, -yy) show up. */
  socket: SocketInfo | null;
  line: number;
  file: string;
  text: string;
}

export interface RawAnomaly { name: string; t: number | null; ref: string; detail?: string }

interface Counter { count: number; first: string | null }

/** Calls whose arguments change state, and the ones the classifier needs to see. */
const STATEFUL = new Set(['open', 'openat', 'openat2', 'creat', 'close', 'dup', 'dup2', 'dup3', 'fcntl', 'fcntl64',
  'socket', 'accept', 'accept4', 'connect', 'bind', 'getsockname', 'getpeername', 'pipe', 'pipe2',
  'clone', 'clone3', 'fork', 'vfork', 'execve', 'execveat', 'flock', 'read', 'readv', 'pread64']);

export class StraceParser {
  readonly tree = new ProcessTree();
  readonly joiner = new CallJoiner();
  readonly kept: KeptCall[] = [];
  readonly anomalies: RawAnomaly[] = [];
  droppedRecords = 0;
  lines = 0;
  parsedLines = 0;
  firstTime: number | null = null;
  lastTime: number | null = null;
  readonly counters = {
    garbage: { count: 0, first: null } as Counter,
    binary: { count: 0, first: null } as Counter,
    cut: { count: 0, first: null } as Counter,
    partial: { count: 0, first: null } as Counter,
    brokenPartial: { count: 0, first: null } as Counter,
  };
  readonly features = { pidColumn: false, pidBracket: false, epoch: false, tod: false, todMicro: false, rel: false, durations: false, pathNotes: false, socketNotes: false };
  private readonly anomalyCounts = new Map<string, number>();

  constructor(private readonly maxRecords = MAX_RECORDS) {}

  feed(ev: StraceEvent, time: number | null, line: LogLine, file: string, filePid: number | null): void {
    this.lines++;
    const ref = file ? `${file} line ${line.no}` : `line ${line.no}`;
    if (line.binary) {
      this.count(this.counters.binary, ref);
      this.anomaly('STRACE_binary_line', time, ref);
      return;
    }
    if (line.cut > 0) {
      this.count(this.counters.cut, ref);
      this.anomaly('STRACE_line_cut', time, ref, `${line.cut} bytes cut`);
    }
    if (ev.type === 'garbage') {
      if (line.text.trim() === '') return;
      if (line.unterminated) {
        this.count(this.counters.brokenPartial, ref);
        this.anomaly('STRACE_truncated_last_line', time, ref);
      } else {
        this.count(this.counters.garbage, ref);
        this.anomaly('STRACE_unrecognised_line', time, ref, line.text.slice(0, 80));
      }
      return;
    }
    this.parsedLines++;
    this.noteFeatures(ev, line.text);
    if (this.deferred && time !== null) this.flushDeferred(time);
    if (time !== null) {
      if (this.firstTime === null || time < this.firstTime) this.firstTime = time;
      if (this.lastTime === null || time > this.lastTime) this.lastTime = time;
    }
    let tid = ev.pid ?? filePid ?? this.rootAlias ?? 0;
    if (ev.pid !== null && filePid === null && this.rootAlias === null && !this.tree.knows(ev.pid) && this.tree.knows(0)) {
      // First pid we were not told about by a clone: the unprefixed lines were its.
      this.rootAlias = ev.pid;
      this.tree.rename(0, ev.pid);
      this.joiner.renameTid(0, ev.pid);
      for (const k of this.kept) if (k.pid === 0) { k.pid = ev.pid; if (k.tid === 0) k.tid = ev.pid; }
      if (this.deferred && this.deferred.tid === 0) this.deferred.tid = ev.pid;
      tid = ev.pid;
    }
    this.tree.processOf(tid, time);
    switch (ev.type) {
      case 'call': {
        const end = ev.duration !== null && time !== null ? time + ev.duration : time;
        const call: JoinedCall = { tid, name: ev.name, args: ev.args, result: ev.result, duration: ev.duration, start: time, end, line: line.no, file, unfinished: false };
        // Without -T the call took at most until the next line: wait for it to know.
        if (ev.duration === null && time !== null) {
          if (this.deferred) this.flushDeferred(time);
          this.deferred = call;
        } else this.onCall(call);
        break;
      }
      case 'unfinished': {
        const orphan = this.joiner.start(tid, ev.name, ev.args, time, line.no, file);
        if (orphan) this.anomaly('STRACE_unfinished_never_resumed', orphan.start, `line ${orphan.line}`);
        break;
      }
      case 'partial': {
        this.count(this.counters.partial, ref);
        this.joiner.start(tid, ev.name, ev.args, time, line.no, file);
        break;
      }
      case 'resumed':
        this.onCall(this.joiner.resume(tid, ev.name, ev.rest, ev.result, ev.duration, time, line.no, file));
        break;
      case 'exit':
      case 'killed': {
        const cut = this.joiner.end(tid, time);
        if (cut) this.onCall(cut);
        this.tree.onExit(tid, time, ev.type === 'exit' ? ev.code : null, ev.type === 'killed' ? ev.signal : null);
        break;
      }
      case 'message': {
        const m = /^strace: Process (\d+) (attached|detached)/.exec(ev.text);
        if (m) this.tree.processOf(Number(m[1]), time);
        break;
      }
      case 'signal':
        // Go sends itself SIGURG constantly (goroutine preemption): nothing to keep.
        break;
    }
  }

  private deferred: JoinedCall | null = null;
  private rootAlias: number | null = null;

  private flushDeferred(time: number): void {
    const d = this.deferred!;
    this.deferred = null;
    d.duration = Math.max(0, time - (d.start ?? time));
    d.end = time;
    this.onCall(d);
  }

  /** End of input: pending calls are still blocked. */
  finish(): void {
    if (this.deferred) this.flushDeferred(this.deferred.start ?? 0);
    for (const c of this.joiner.drain()) this.onCall(c, true);
    if (this.joiner.orphans > 0) {
      this.anomaly('STRACE_resumed_without_start', null, `line ${this.joiner.firstOrphanLine}`, `${this.joiner.orphans} in all`);
    }
  }

  private onCall(c: JoinedCall, atEnd = false): void {
    const proc = this.tree.processOf(c.tid, c.start);
    const needArgs = STATEFUL.has(c.name) || c.unfinished || (c.duration !== null && c.duration >= SLOW_SECONDS);
    const args = needArgs ? splitArgs(c.args) : [];
    const first = parseFdArg(args[0]);
    if (first.fd !== null && first.note !== null) this.learnNote(proc.table, first.fd, first.note);
    let remote: string | null = null;
    if (c.result !== null && !c.unfinished) remote = this.applyState(c, args, proc);
    const entry = first.fd !== null ? proc.table.fds.get(first.fd) : undefined;
    const notePath = first.note !== null && first.note.startsWith('/') ? first.note : null;
    const path = notePath ?? entry?.path ?? null;
    if (c.name === 'connect') remote = remote ?? parseSockaddr(args[1])?.address ?? null;
    remote = remote ?? entry?.socket?.remote ?? null;
    const kind = classify({ name: c.name, args, path, remote, fd: first.fd, command: proc.command, unfinished: c.unfinished, duration: c.duration });
    if (kind === null) return;
    if (!atEnd && this.kept.length >= this.maxRecords) {
      // Full: a slow, blocked or terminal call takes the place of the earliest quick one (a
      // lock granted at once, a connect); a quick one is dropped. Either way one is counted.
      this.droppedRecords++;
      if (!(mattersMost(c.unfinished, c.duration, kind) && this.evictQuick())) return;
    }
    let socket = entry?.socket ?? null;
    if (c.name === 'connect' && remote !== null && (socket === null || socket.remote === null)) {
      socket = { protocol: socket?.protocol ?? null, local: socket?.local ?? null, remote };
    }
    const text = `${c.name}(${c.args}${c.result !== null ? `) = ${c.result}` : ' <unfinished ...>'}`;
    this.kept.push({
      pid: proc.pid, tid: c.tid, command: proc.command, name: c.name, start: c.start,
      duration: c.unfinished ? null : c.duration ?? 0, result: c.unfinished ? null : c.result, kind,
      fd: first.fd, path, module: kind === 'cache-lock' ? decodeCacheLockPath(path)?.module ?? null : null,
      socket, line: c.line, file: c.file,
      text: text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text,
    });
  }

  /** Records before this index all matter most (see evictQuick). */
  private quickScan = 0;

  /** Remove the earliest kept call that was quick; false when there is none. */
  private evictQuick(): boolean {
    for (let i = this.quickScan; i < this.kept.length; i++) {
      const k = this.kept[i];
      if (!mattersMost(k.duration === null, k.duration, k.kind)) {
        this.kept.splice(i, 1);
        this.quickScan = i;
        return true;
      }
    }
    this.quickScan = this.kept.length;
    return false;
  }

  /** Update fd tables and the process tree from a returned call. Returns a remote address it learnt. */
  private applyState(c: JoinedCall, args: string[], proc: ProcessState): string | null {
    const res = /^(-?\d+|0x[0-9a-f]+)(?:<(.*)>)?/s.exec(c.result ?? '');
    const ok = res !== null && !res[1].startsWith('-');
    const ret = res ? Number(res[1]) : NaN;
    const retNote = res ? parseFdArg(res[0]).note : null;
    const t = proc.table;
    switch (c.name) {
      case 'open': case 'openat': case 'openat2': case 'creat': {
        if (!ok) return null;
        const pathArg = c.name === 'open' || c.name === 'creat' ? args[0] : args[1];
        const flagsArg = c.name === 'open' ? args[1] : c.name === 'creat' ? '' : args[2];
        let path = retNote && retNote.startsWith('/') ? retNote : unquote(pathArg ?? '');
        if (path !== null && !path.startsWith('/') && (c.name === 'openat' || c.name === 'openat2')) {
          const dir = parseFdArg(args[0]);
          const base = dir.note !== null && dir.note.startsWith('/') ? dir.note : dir.fd !== null ? t.fds.get(dir.fd)?.path ?? null : null;
          if (base) path = `${base.replace(/\/$/, '')}/${path}`;
        }
        this.tree.setFd(t, ret, { path, socket: null, cloexec: /O_CLOEXEC/.test(flagsArg ?? '') });
        return null;
      }
      case 'close': {
        const fd = parseFdArg(args[0]).fd;
        if (fd !== null) t.delete(fd);
        return null;
      }
      case 'dup': case 'dup2': case 'dup3': case 'fcntl': case 'fcntl64': {
        if (!ok) return null;
        if ((c.name === 'fcntl' || c.name === 'fcntl64') && !/F_DUPFD/.test(args[1] ?? '')) return null;
        const from = parseFdArg(args[0]).fd;
        const src = from !== null ? t.fds.get(from) : undefined;
        const cloexec = /O_CLOEXEC|F_DUPFD_CLOEXEC/.test(c.args);
        this.tree.setFd(t, ret, src ? { ...src, cloexec } : { path: null, socket: null, cloexec });
        if (retNote) this.learnNote(t, ret, retNote);
        return null;
      }
      case 'socket': {
        if (!ok) return null;
        this.tree.setFd(t, ret, { path: null, socket: { protocol: socketProtocol(args), local: null, remote: null }, cloexec: /SOCK_CLOEXEC/.test(args[1] ?? '') });
        if (retNote) this.learnNote(t, ret, retNote);
        return null;
      }
      case 'accept': case 'accept4': {
        if (!ok) return null;
        const listener = t.fds.get(parseFdArg(args[0]).fd ?? -1);
        const peer = parseSockaddr(args[1])?.address ?? null;
        this.tree.setFd(t, ret, { path: null, socket: { protocol: listener?.socket?.protocol ?? null, local: listener?.socket?.local ?? null, remote: peer }, cloexec: /SOCK_CLOEXEC/.test(args[3] ?? '') });
        if (retNote) this.learnNote(t, ret, retNote);
        return null;
      }
      case 'connect': case 'bind': case 'getsockname': case 'getpeername': {
        const fd = parseFdArg(args[0]).fd;
        if (fd === null) return null;
        const addr = parseSockaddr(args[1])?.address ?? null;
        const e = this.entry(t, fd);
        if (!e.socket) e.socket = { protocol: null, local: null, remote: null };
        // connect is often EINPROGRESS on Go's non-blocking sockets: the address is still the target.
        if (c.name === 'connect' && addr) e.socket.remote = addr;
        if (!ok) return c.name === 'connect' ? addr : null;
        if ((c.name === 'bind' || c.name === 'getsockname') && addr) e.socket.local = addr;
        if (c.name === 'getpeername' && addr) e.socket.remote = addr;
        return c.name === 'connect' ? addr : null;
      }
      case 'pipe': case 'pipe2': {
        if (!ok) return null;
        const m = /^\[(\d+)(?:<[^>]*>)?, (\d+)/.exec(args[0] ?? '');
        if (m) {
          const cloexec = /O_CLOEXEC/.test(args[1] ?? '');
          this.tree.setFd(t, Number(m[1]), { path: 'pipe', socket: null, cloexec });
          this.tree.setFd(t, Number(m[2]), { path: 'pipe', socket: null, cloexec });
        }
        return null;
      }
      case 'clone': case 'clone3': case 'fork': case 'vfork': {
        if (!ok || ret <= 0) return null;
        const flags = /flags=([\w|]+)/.exec(c.args)?.[1] ?? '';
        this.tree.onClone(c.tid, ret, flags, c.end ?? c.start);
        return null;
      }
      case 'execve': case 'execveat': {
        if (!ok) return null;
        const fileArg = c.name === 'execve' ? args[0] : args[1];
        const argvArg = c.name === 'execve' ? args[1] : args[2];
        this.tree.onExecve(c.tid, unquote(fileArg ?? ''), parseStringArray(argvArg ?? ''), c.start);
        return null;
      }
    }
    return null;
  }

  private entry(t: FdTable, fd: number): FdEntry {
    let e = t.fds.get(fd);
    if (!e) {
      e = { path: null, socket: null, cloexec: false };
      this.tree.setFd(t, fd, e);
    }
    return e;
  }

  /** A -y / -yy annotation tells what the fd is: a path or a socket with endpoints. */
  private learnNote(t: FdTable, fd: number, note: string): void {
    if (note.startsWith('/')) {
      const e = t.fds.get(fd);
      if (!e || e.path !== note) this.tree.setFd(t, fd, { path: note, socket: null, cloexec: e?.cloexec ?? false });
      return;
    }
    const s = parseSocketNote(note);
    if (!s) return;
    const e = this.entry(t, fd);
    if (!e.socket) { e.socket = s; return; }
    // Keep the object (records hold it); fill in what the note knows.
    if (s.protocol) e.socket.protocol = s.protocol;
    if (s.local) e.socket.local = s.local;
    if (s.remote) e.socket.remote = s.remote;
  }

  private noteFeatures(ev: StraceEvent, text: string): void {
    const f = this.features;
    if (ev.pidStyle === 'column') f.pidColumn = true;
    else if (ev.pidStyle === 'bracket') f.pidBracket = true;
    if (ev.time) {
      if (ev.time.kind === 'epoch') f.epoch = true;
      else if (ev.time.kind === 'rel') f.rel = true;
      else { f.tod = true; if (ev.time.micro) f.todMicro = true; }
    }
    if ((ev.type === 'call' || ev.type === 'resumed') && ev.duration !== null) f.durations = true;
    if (!f.socketNotes && /\d<(TCP|UDP|UNIX|NETLINK)/.test(text)) f.socketNotes = true;
    if (!f.pathNotes && /\d<(?:\/|\\x2f)/.test(text)) f.pathNotes = true;
  }

  private count(c: Counter, ref: string): void {
    c.count++;
    if (c.first === null) c.first = ref;
  }

  anomaly(name: string, t: number | null, ref: string, detail?: string): void {
    const n = this.anomalyCounts.get(name) ?? 0;
    this.anomalyCounts.set(name, n + 1);
    if (n >= MAX_ANOMALIES_PER_NAME) return;
    this.anomalies.push(detail !== undefined ? { name, t, ref, detail } : { name, t, ref });
  }

  anomalyCount(name: string): number { return this.anomalyCounts.get(name) ?? 0; }
}

/** Calls never given up for quick ones when the record limit is reached: slow, still blocked, terminal reads. */
function mattersMost(unfinished: boolean, duration: number | null, kind: SyscallKind): boolean {
  return unfinished || (duration !== null && duration >= SLOW_SECONDS) || kind === 'terminal-read';
}

export type { AnomalyRecord };
