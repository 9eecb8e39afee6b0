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
  /** capture/lab: no capture engine (dumpcap or tcpdump) is installed */
  NO_ENGINE: 4,
  /** capture/lab: not allowed to capture (needs root, CAP_NET_RAW/CAP_NET_ADMIN, or the wireshark group) */
  CAPTURE_DENIED: 5,
  /** capture/lab: the engine failed (no such interface, bad capture filter, …) */
  CAPTURE_FAILED: 6,
  /** lab: the kernel did something other than the scenario expects (the capture is still explained and saved) */
  LAB_UNEXPECTED: 7,
} as const;

/** A mistake on the command line: printed as one line, exit code 1. */
export class UsageError extends Error {}

/** The input cannot be read at all: printed as one line, exit code 2. */
export class InputError extends Error {}

/** An error with its own exit code (capture and lab): printed as one line (or a few), then exit `code`. */
export class ExitError extends Error {
  constructor(message: string, readonly code: number) { super(message); }
}
