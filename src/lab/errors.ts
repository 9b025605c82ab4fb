/**
 * LabError: the lab could not set up on this machine (a tool missing, a port taken, no root). Its
 * message is for the user, one line; the CLI prints it without a stack (isUserFacing).
 */
export class LabError extends Error {
  readonly userFacing = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = 'LabError';
  }
}
