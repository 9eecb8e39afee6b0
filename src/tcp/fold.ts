/**
 * Folding: `conns` in memory bounded by the connections open at once (plus a fixed number of
 * recently closed ones) instead of every connection ever seen. The lifecycle stage
 * (lifecycle.ts) builds a connection's summary as soon as no later packet is expected to
 * change it, lets its tracking state go, and leaves a stub in the TCP tracker
 * (conversations.ts foldConversation) that keeps its tcp.stream number. A connection folds when
 *  (a) its 4-tuple is reused by a SYN that starts a new tcp.stream (exact: no later packet can
 *      reach the old conversation);
 *  (b) it has closed (both FINs sent and acknowledged, or a RST) and either `timeWait` seconds
 *      of capture time passed since its last packet, or more than `maxClosed` closed connections
 *      wait (the one closed longest ago folds first);
 *  (c) it had no packet for `idle` seconds of capture time.
 * Capture time is the highest timestamp seen so far (captures can step backwards). A packet
 * that comes for a folded connection anyway (a "late" packet) keeps its tcp.stream but is not
 * counted in the connection's summary; the CLI says how many there were.
 */

export interface FoldSettings {
  /** seconds a closed connection waits for stragglers: Linux's TCP_TIMEWAIT_LEN (60 s) */
  timeWait: number;
  /** seconds without a packet after which a connection folds: Zeek's tcp_inactivity_timeout (300 s) */
  idle: number;
  /**
   * at most this many closed connections wait for their time-wait to pass; beyond it the one
   * closed longest ago folds. 2,048 waiting connections hold about 20 MB of tracking state
   * (about 9 KB each), and a packet that arrives after 2,048 later connections have closed
   * is rare outside of a flood.
   */
  maxClosed: number;
}

export const DEFAULT_FOLD: Readonly<FoldSettings> = { timeWait: 60, idle: 300, maxClosed: 2048 };

/**
 * A first-in first-out queue of items with the capture time they were queued at (times never
 * decrease, so the head is the oldest). Backed by an array with a moving head, compacted when
 * the dead prefix is large: O(1) amortised per operation, no per-item allocation.
 */
export class TimeQueue<T> {
  private items: Array<T | undefined> = [];
  private times: number[] = [];
  private head = 0;

  get size(): number { return this.items.length - this.head; }

  push(item: T, time: number): void {
    this.items.push(item);
    this.times.push(time);
  }

  /** The oldest item (undefined when empty). */
  peek(): T | undefined { return this.head < this.items.length ? this.items[this.head] : undefined; }

  /** The time the oldest item was queued at (Infinity when empty). */
  peekTime(): number { return this.head < this.items.length ? this.times[this.head]! : Infinity; }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const it = this.items[this.head];
    this.items[this.head++] = undefined;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
    return it;
  }
}

/** The stderr notice when packets came after their connection had been folded (none when n = 0). */
export function lateNotice(n: number, s: FoldSettings = DEFAULT_FOLD): string | undefined {
  if (!n) return undefined;
  const cap = s.maxClosed.toLocaleString('en-US');
  return `tcpscope: ${n} ${n === 1 ? 'packet' : 'packets'} came after ${n === 1 ? 'its connection' : 'their connection'} had been folded `
    + `(closed for ${s.timeWait} s, idle for ${s.idle} s, or beyond the ${cap} most recently closed): `
    + `${n === 1 ? 'its row leaves it' : 'their rows leave them'} out; --no-fold keeps every connection to the end`;
}
