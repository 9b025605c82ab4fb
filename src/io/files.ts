/**
 * io/: the few file calls the analysis path makes, as promises over node:fs's callbacks, instead of
 * node:fs/promises.
 *
 * Why not node:fs/promises: node loads it (with readline, the file watchers and fs/dir behind it)
 * the first time anything imports it, and the `analyze` bundle imports everything at start. With
 * V8 flags on node's command line (bin/gomod-trace gives two) node cannot use the code cache built
 * into it for its own modules and compiles each from source: node:fs/promises then costs 3–4 ms of
 * every start instead of about 1 (docs/performance.md, session 8). node:fs itself is loaded while
 * node starts.
 *
 * Errors are node's own (code, syscall, path), as node:fs/promises gives them — except that they
 * always name the file: node's errors of calls on a descriptor carry no path (EISDIR reading a
 * directory, EIO on a failing disk, ENOSPC), and the CLI says which file from it (src/cli/errors.ts).
 * Also the names and folders files are written under (temporaryPath, makeDirectories).
 */
import { close, fstat, mkdirSync, open, read, readSync, readdir as readdirCb, readFile as readFileCb, stat as statCb, statSync, write, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * The name a file is written under before it is renamed into place (record's bundle files, redact's
 * copy), so that a failed write never leaves a cut-short file; one per process.
 */
export function temporaryPath(file: string): string {
  return `${file}.tmp-${process.pid}`;
}

/**
 * `mkdir -p`: the folder and any missing parents, each made in turn from the deepest that exists.
 * Not node's `mkdirSync(dir, { recursive: true })`, which loops for ever where mkdir answers ENOENT
 * for a parent that exists (a new folder under /proc: `record -o /proc/x` hung, deaf to signals).
 * The error is the first mkdir's that fails (ENOENT, EACCES, EROFS …, with its path), or ENOTDIR
 * when a component is a file.
 */
export function makeDirectories(dir: string): void {
  const missing: string[] = [];
  for (let p = resolve(dir); ; ) {
    let st;
    try {
      st = statSync(p);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    if (st) {
      if (st.isDirectory()) break;
      throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${p}'`), { code: 'ENOTDIR', syscall: 'mkdir', path: p });
    }
    missing.push(p);
    const parent = dirname(p);
    if (parent === p) break;
    p = parent;
  }
  for (let i = missing.length - 1; i >= 0; i--) {
    try {
      mkdirSync(missing[i]);
    } catch (err) {
      // Made meanwhile by someone else: as good.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || !statSync(missing[i]).isDirectory()) throw err;
    }
  }
}

/** Settle a promise from a node-style callback. */
function settle<T>(resolve: (v: T) => void, reject: (e: Error) => void) {
  return (err: Error | null, value: T): void => {
    if (err) reject(err);
    else resolve(value);
  };
}

/** `settle`, with `path` named in the error. */
function settleNamed<T>(path: string, resolve: (v: T) => void, reject: (e: Error) => void) {
  return (err: NodeJS.ErrnoException | null, value: T): void => {
    if (err) reject(named(err, path));
    else resolve(value);
  };
}

function named(err: NodeJS.ErrnoException, path: string): NodeJS.ErrnoException {
  if (err.path === undefined) err.path = path;
  return err;
}

export function stat(path: string): Promise<Stats> {
  return new Promise((resolve, reject) => statCb(path, settle(resolve, reject)));
}

export function readdir(path: string): Promise<string[]> {
  return new Promise((resolve, reject) => readdirCb(path, settle(resolve, reject)));
}

export function readTextFile(path: string): Promise<string> {
  return new Promise((resolve, reject) => readFileCb(path, 'utf8', settleNamed(path, resolve, reject)));
}

/** A file descriptor with the calls made on it; `close` once done (nothing closes it for you). */
export class FileDescriptor {
  private constructor(readonly fd: number, readonly path: string) {}

  /** Open `path` with fs.open's `flags` ('r', 'w', …). */
  static open(path: string, flags: string): Promise<FileDescriptor> {
    return new Promise((resolve, reject) => {
      open(path, flags, 0o666, (err, fd) => (err ? reject(err) : resolve(new FileDescriptor(fd, path))));
    });
  }

  stat(): Promise<Stats> {
    return new Promise((resolve, reject) => fstat(this.fd, settleNamed(this.path, resolve, reject)));
  }

  /** Read up to `length` bytes into buf[offset…] from file offset `position` (the current one when null). */
  read(buf: Uint8Array, offset: number, length: number, position: number | null): Promise<number> {
    return new Promise((resolve, reject) => read(this.fd, buf, offset, length, position, settleNamed(this.path, resolve, reject)));
  }

  /** `read` as a blocking call. */
  readSync(buf: Uint8Array, offset: number, length: number, position: number | null): number {
    try {
      return readSync(this.fd, buf, offset, length, position);
    } catch (err) {
      throw named(err as NodeJS.ErrnoException, this.path);
    }
  }

  /** Write all of `data` at the current offset (looping over short writes). */
  async writeAll(data: Uint8Array): Promise<void> {
    let done = 0;
    while (done < data.length) {
      const n = await new Promise<number>((resolve, reject) => {
        write(this.fd, data, done, data.length - done, null, settleNamed(this.path, resolve, reject));
      });
      // (A regular file takes every byte or fails; anything taking none would loop for ever.)
      if (n <= 0) throw Object.assign(new Error(`EIO: write took no bytes of ${data.length - done}`), { code: 'EIO', path: this.path });
      done += n;
    }
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) => close(this.fd, (err) => (err ? reject(named(err, this.path)) : resolve())));
  }
}
