/** `tcpscope conns`: one row per TCP connection, or JSON, or Zeek's conn.log. */
import { Option, type Command } from 'commander';
import type { Lang } from '../src/i18n/meanings.js';
import { connJson, connsTable, zeekJsonLines, zeekTsv } from '../src/render/conns.js';
import { Output } from './output.js';
import { UsageError } from './errors.js';
import { pickLang, captureArg } from './options.js';
import { displayFilter, FILTER_HELP } from './filter.js';
import { runLifecycle, terminalPaint } from './lifecycle-run.js';

export interface ConnsOptions {
  file: string;
  format: 'table' | 'json' | 'zeek' | 'zeek-json';
  lang: Lang;
  filter?: string;
  color?: boolean;
  /** no progress bar */
  quiet?: boolean;
}

export async function runConns(o: ConnsOptions): Promise<number> {
  const filter = displayFilter(o.filter);
  // Machine formats stay pure: live packet lines only with the table.
  const run = await runLifecycle(o.file, { keep: filter ? (rec) => filter.matches(rec) : undefined, live: o.format === 'table' ? undefined : false, quiet: o.quiet });
  const conns = run.conns.map((c) => c.summary);
  const out = new Output();
  if (o.format === 'json') {
    // One object at a time: a capture with 100,000 connections never builds one huge string.
    out.line('[');
    conns.forEach((c, i) => out.line(JSON.stringify(connJson(c), null, 2).replace(/^/gm, '  ') + (i < conns.length - 1 ? ',' : '')));
    out.line(']');
  }
  else if (o.format === 'zeek') out.line(zeekTsv(conns));
  else if (o.format === 'zeek-json') { if (conns.length) out.line(zeekJsonLines(conns)); }
  else out.line(connsTable(conns, o.lang, terminalPaint(o.color)));
  out.flush();
  return run.code;
}

export function registerConns(program: Command): void {
  program.command('conns')
    .description('one row per TCP connection: handshake, teardown, active closer, both final states, Zeek conn_state/history, Wireshark completeness')
    .argument('[file]', 'pcap or pcapng file (gzip allowed); - for standard input')
    .option('-r <file>', 'the capture to read (same as the positional argument)')
    .addOption(new Option('-T <format>', 'table (default), json (same as --json), zeek (Zeek conn.log, TSV), zeek-json (conn.log as JSON lines)')
      .choices(['table', 'json', 'zeek', 'zeek-json']).default('table'))
    .option('--json', 'a JSON array, one object per connection (schema: docs/schema/conns.schema.json)')
    .option('-Y <filter>', `${FILTER_HELP}; keeps the connections with at least one matching packet`)
    .option('--lang <lang>', 'language of the table: en or zh-CN (default from LANG)')
    .option('--color', 'colours even when stdout is not a terminal')
    .option('--no-color', 'no colours')
    .option('--quiet', 'no progress bar (shown on stderr when it is a terminal and the file is larger than 8 MB)')
    .action(async (file: string | undefined, opts: Record<string, unknown>) => {
      const path = captureArg('conns', file, opts);
      const format = opts.json ? 'json' : (opts.T as ConnsOptions['format']);
      process.exitCode = await runConns({
        file: path, format, lang: pickLang(opts.lang as string | undefined), filter: opts.Y as string | undefined,
        color: opts.color === undefined ? undefined : Boolean(opts.color), quiet: Boolean(opts.quiet),
      });
    });
}
