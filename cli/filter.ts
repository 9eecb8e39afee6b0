/** `-Y FILTER` for every command: compile once, turn a bad filter into one usage line (exit 1). */
import { compileFilter, FilterError, type Filter } from '../src/filter/index.js';
import { UsageError } from './errors.js';

/**
 * Compile a display filter given on the command line; undefined when there is none.
 * A bad filter throws UsageError with one line:
 * `-Y "tcp.flags.sin==1": column 1: "tcp.flags.sin" is not a valid protocol or protocol field (did you mean "tcp.flags.syn"?).`
 */
export function displayFilter(text: string | undefined, option = '-Y'): Filter | undefined {
  if (text === undefined) return undefined;
  try {
    return compileFilter(text);
  } catch (e) {
    if (e instanceof FilterError) throw new UsageError(`${option} '${text}': column ${e.column}: ${e.message}`);
    throw e;
  }
}

/** The help text of -Y, shared by the commands that take it. */
export const FILTER_HELP = 'display filter (Wireshark 4.0 syntax): show only packets that match, e.g. -Y "tcp.flags.syn==1 && tcp.flags.ack==0"';
