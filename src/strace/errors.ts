/** A file given as a strace log that holds no strace output at all. One line; names file and line. */
export class StraceFormatError extends Error {
  readonly userFacing = true;
  constructor(readonly file: string, readonly line: number, reason: string) {
    super(`${file}: line ${line}: ${reason}`);
    this.name = 'StraceFormatError';
  }
}
