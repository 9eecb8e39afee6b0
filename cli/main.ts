#!/usr/bin/env node
/** tcpscope command line: parses arguments (commander) and hands off to one command module. */
import { Command, CommanderError } from 'commander';
import { registerRead } from './read.js';
import { registerConns } from './conns.js';
import { registerExplain } from './explain.js';
import { registerFollow } from './follow.js';
import { ExitCode, ExitError, InputError, UsageError } from './errors.js';
import { registerCapture } from './capture/command.js';
import { registerLab } from './lab/command.js';
import { registerServe } from './serve.js';
import { warn } from './output.js';

export function buildProgram(): Command {
  const program = new Command('tcpscope')
    .description('Make TCP connections visible: read pcap/pcapng captures as tshark does, and explain every connection.')
    .version('0.1.0', '-v, --version')
    .exitOverride()
    .configureOutput({ writeErr: (s) => warn(s.trimEnd()) });

  // One line per command: each module adds its own subcommand and options.
  registerRead(program);
  registerConns(program);
  registerExplain(program);
  registerFollow(program);
  registerCapture(program);
  registerLab(program);
  registerServe(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : ExitCode.USAGE;
    if (e instanceof UsageError) { warn(`tcpscope: ${e.message}`); return ExitCode.USAGE; }
    if (e instanceof ExitError) { warn(`tcpscope: ${e.message}`); return e.code; }
    if (e instanceof InputError) { warn(`tcpscope: ${e.message}`); return ExitCode.NOT_A_CAPTURE; }
    // A bug: say so in one line (a stack trace only with TCPSCOPE_DEBUG=1).
    warn(`tcpscope: internal error: ${(e as Error)?.message ?? String(e)}${process.env.TCPSCOPE_DEBUG ? '\n' + (e as Error)?.stack : ''}`);
    return 70;
  }
}

main(process.argv).then((code) => { process.exitCode = code; });
