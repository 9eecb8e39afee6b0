/** One-time notices on stderr about what the decoder left undecoded (issue 14). */
import { warn } from './output.js';

/** "tcpscope: link type 10 (FDDI) not decoded: 1,333 frames shown as raw", once per link type or tunnel. */
export function noticeUndecoded(dissector: { decoder: { readonly undecoded: ReadonlyMap<string, number> } }): void { // a Dissector, or a worker's counts (cli/threads.ts)
  for (const [what, frames] of dissector.decoder.undecoded) {
    warn(`tcpscope: ${what} not decoded: ${frames.toLocaleString('en-US')} frame${frames === 1 ? '' : 's'} shown as raw`);
  }
}
