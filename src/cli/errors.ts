/**
 * One place for how the CLI fails. A UsageError is the user's to fix (bad flag, unreadable or
 * invalid input, an output that cannot be written): one line on stderr, exit 2, no stack. Anything
 * else is our bug: exit 1 with the stack and a "please report" line.
 */

export const EXIT_OK = 0;
export const EXIT_INTERNAL = 1;
export const EXIT_USAGE = 2;
/** `record` stopped go itself (timeout, stall, Ctrl-C), like timeout(1). */
export const EXIT_STOPPED = 124;

export class UsageError extends Error {
  readonly exitCode: number;
  constructor(message: string, options?: { cause?: unknown; exitCode?: number }) {
    super(message, options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = 'UsageError';
    this.exitCode = options?.exitCode ?? EXIT_USAGE;
  }
}

/** Errors that carry their own one-line message for the user (e.g. CaptureFormatError). */
export function isUserFacing(err: unknown): err is Error {
  if (!(err instanceof Error)) return false;
  if (err instanceof UsageError) return true;
  return (err as { userFacing?: boolean }).userFacing === true ||
    ['CaptureFormatError', 'StraceFormatError', 'GoLogFormatError', 'InputError'].includes(err.name);
}

/** Why a system call on the user's files or streams failed, in words. */
const ERRNO_REASONS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EISDIR: 'is a directory',
  ENOTDIR: 'not a directory',
  EPERM: 'operation not permitted',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large',
  EROFS: 'read-only file system',
  EIO: 'input/output error',
  EBADF: 'bad file descriptor',
  EPIPE: 'broken pipe',
  ELOOP: 'too many levels of symbolic links',
  ENXIO: 'no such device or address',
};

/** The reason for a system error code as the CLI words it (`no space left on device`), if it has one. */
export function errnoReason(code: string | undefined): string | undefined {
  return code === undefined ? undefined : ERRNO_REASONS[code];
}

/** Filesystem errors on the user's paths (ENOENT, EACCES, EISDIR…) are usage errors too. */
export function describeFsError(err: unknown): string | null {
  const e = err as NodeJS.ErrnoException;
  if (!e || typeof e.code !== 'string' || typeof e.path !== 'string') return null;
  const reason = ERRNO_REASONS[e.code];
  return reason ? `${e.path}: ${reason}` : null;
}

/**
 * A failed write to an output (`-o FILE`, stdout): a UsageError (exit 2, like an unreadable input)
 * saying which output and why, e.g. `cannot write r.json: no space left on device`. Errors that are
 * not the system's (a bug in what was being written) come back unchanged.
 */
export function outputError(output: string, err: unknown): unknown {
  const e = err as NodeJS.ErrnoException;
  if (!e || typeof e.code !== 'string' || !(e.code in ERRNO_REASONS || typeof e.syscall === 'string')) return err;
  return new UsageError(`cannot write ${output}: ${ERRNO_REASONS[e.code] ?? e.code}`, { cause: err });
}

/**
 * stdout and stderr for the whole run (runProgram calls this first). node would end the process
 * with a stack trace for their unhandled 'error' event; instead a stdout that cannot be written
 * (full disk, I/O error, bad descriptor) gets one line on stderr, and a run that would have exited
 * 0 exits 2 (whatever sets process.exitCode later: the status is settled at exit). A pipe its reader closed (`gomod-trace … | head -1`) is the reader's choice:
 * nothing is said and the status stays, as with git or ripgrep. A failing stderr leaves nowhere to
 * say anything.
 */
export function watchStdio(): void {
  let status: number | undefined;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    // node's stdout takes the next write again after an error: say it once.
    if (status !== undefined || err.code === 'EPIPE') return;
    status = reportError(outputError('standard output', err));
  });
  process.stderr.on('error', () => undefined);
  process.on('exit', () => {
    if (status !== undefined && !process.exitCode) process.exitCode = status;
  });
}

export function redactPaths(text: string): string {
  const home = process.env.HOME;
  return home && home.length > 1 ? text.split(home).join('~') : text;
}

/** Print the error as the CLI should and return the exit status. */
export function reportError(err: unknown, stderr: NodeJS.WritableStream = process.stderr): number {
  if (isUserFacing(err)) {
    stderr.write(`gomod-trace: ${oneLine(err.message)}\n`);
    return err instanceof UsageError ? err.exitCode : EXIT_USAGE;
  }
  const fs = describeFsError(err);
  if (fs) {
    stderr.write(`gomod-trace: ${oneLine(fs)}\n`);
    return EXIT_USAGE;
  }
  const stack = err instanceof Error ? err.stack ?? err.message : String(err);
  stderr.write(`gomod-trace: internal error: ${redactPaths(stack)}\n`);
  stderr.write('gomod-trace: this is a bug; please report it with the command you ran and, if you can, the input file.\n');
  return EXIT_INTERNAL;
}

function oneLine(s: string): string {
  // Messages can quote input: keep them to one printable line.
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').slice(0, 2000);
}
