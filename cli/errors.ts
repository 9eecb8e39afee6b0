/** Exit codes (documented in the README) and the errors that map to them. */
export const ExitCode = {
  /** everything was read */
  OK: 0,
  /** bad command line: unknown option, field or filter */
  USAGE: 1,
  /** the file could not be opened or is not a pcap/pcapng capture at all */
  NOT_A_CAPTURE: 2,
  /** the capture is damaged: every packet before the damage was shown, then reading stopped */
  DAMAGED: 3,
} as const;

/** A mistake on the command line: printed as one line, exit code 1. */
export class UsageError extends Error {}

/** The input cannot be read at all: printed as one line, exit code 2. */
export class InputError extends Error {}
