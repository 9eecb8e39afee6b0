#!/usr/bin/env node
/** tcpscope command line: parses arguments (commander) and hands off to one command module. */
import { Command, CommanderError, Option } from 'commander';
import { runRead } from './read.js';
import { ExitCode, InputError, UsageError } from './errors.js';
import { warn } from './output.js';
import type { Lang } from '../src/i18n/meanings.js';

const collect = (v: string, acc: string[]): string[] => [...acc, v];

/** Language from --lang, else LC_ALL / LANG (zh* → Simplified Chinese). */
export function pickLang(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): Lang {
  const v = flag ?? env.LC_ALL ?? env.LC_MESSAGES ?? env.LANG ?? '';
  if (/^zh/i.test(v)) return 'zh-CN';
  if (flag && !/^en/i.test(flag)) throw new UsageError(`--lang ${flag}: use en or zh-CN`);
  return 'en';
}

function positiveInt(name: string) {
  return (v: string): number => {
    if (!/^\d+$/.test(v) || Number(v) < 1) throw new UsageError(`${name} ${v}: expected a positive whole number`);
    return Number(v);
  };
}

export function buildProgram(): Command {
  const program = new Command('tcpscope')
    .description('Make TCP connections visible: read pcap/pcapng captures as tshark does, and explain every connection.')
    .version('0.1.0')
    .exitOverride()
    .configureOutput({ writeErr: (s) => warn(s.trimEnd()) });

  program.command('read')
    .description('print the packets of a capture, as tshark -r does')
    .argument('[file]', 'pcap or pcapng file (gzip allowed); - for standard input')
    .option('-r <file>', 'the capture to read (same as the positional argument; - for stdin)')
    .addOption(new Option('-T <format>', 'output format').choices(['text', 'fields', 'json']).default('text'))
    .option('-e <field>', 'a field to print with -T fields (repeatable), e.g. -e tcp.seq', collect, [])
    .option('-E <option>', 'fields output option: header=y|n, separator=/t|/s|C, aggregator=C, quote=d|s|n, occurrence=f|l|a|N', collect, [])
    .option('-c <count>', 'stop after this many packets', positiveInt('-c'))
    .option('-V', 'show the details tree of every packet, with what each header field is for')
    .option('-x', 'add the packet bytes as hex and ASCII')
    .option('-n', 'no name resolution (accepted for tshark compatibility: tcpscope never resolves names)')
    .option('--no-meanings', 'with -V: leave out the one-line meaning beside each field')
    .option('--lang <lang>', 'language of explanations: en or zh-CN (default from LANG)')
    .action(async (file: string | undefined, opts: Record<string, unknown>) => {
      const path = (opts.r as string | undefined) ?? file;
      if (!path) throw new UsageError('read: name a capture file (or - for standard input)');
      if (opts.r && file) throw new UsageError('read: give the file once, either as -r FILE or as an argument');
      process.exitCode = await runRead({
        file: path, format: opts.T as 'text' | 'fields' | 'json', fields: opts.e as string[], fieldOptions: opts.E as string[],
        count: opts.c as number | undefined, verbose: Boolean(opts.V), hex: Boolean(opts.x), meanings: opts.meanings !== false,
        lang: pickLang(opts.lang as string | undefined),
      });
    });
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : ExitCode.USAGE;
    if (e instanceof UsageError) { warn(`tcpscope: ${e.message}`); return ExitCode.USAGE; }
    if (e instanceof InputError) { warn(`tcpscope: ${e.message}`); return ExitCode.NOT_A_CAPTURE; }
    // A bug: say so in one line (a stack trace only with TCPSCOPE_DEBUG=1).
    warn(`tcpscope: internal error: ${(e as Error)?.message ?? String(e)}${process.env.TCPSCOPE_DEBUG ? '\n' + (e as Error)?.stack : ''}`);
    return 70;
  }
}

main(process.argv).then((code) => { process.exitCode = code; });
