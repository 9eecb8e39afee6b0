/**
 * The packet-by-packet timeline of one connection (kept only for the streams explain asks
 * for): one entry per packet with both sides' states after it, their changes and socket
 * events. The observer (observer.ts) writes to it and, when a later packet shows that its
 * first reading was wrong (crossing segments, a server that was not listening), corrects the
 * entries already written through the few operations below.
 */
import type { TcpState } from './fsm.js';
import { idx, type ConnTimeline, type Side, type TimelineEntry } from './lifecycle-types.js';

/** Timeline entries kept per stream by default. */
export const DEFAULT_MAX_TIMELINE = 200_000;

export class Timeline {
  readonly data: ConnTimeline;

  constructor(stream: number, initial: [TcpState, TcpState], private readonly max: number) {
    this.data = { stream, initial, entries: [], truncated: 0 };
  }

  /** Index of the newest entry (-1 when none). */
  get last(): number { return this.data.entries.length - 1; }

  /** Append an entry; undefined (and counted as truncated) past the limit. */
  add(entry: TimelineEntry): TimelineEntry | undefined {
    if (this.data.entries.length >= this.max) { this.data.truncated++; return undefined; }
    this.data.entries.push(entry);
    return entry;
  }

  /**
   * A side's state was misread from the start: it began in `state`. Entries [0, to) show
   * `state` for it; with `dropChanges`, the state changes recorded for it disappear.
   */
  reinitialize(side: Side, state: TcpState, to: number, dropChanges: boolean): void {
    this.data.initial[idx(side)] = state;
    if (!dropChanges) return;
    this.setState(side, 0, to, state);
    for (const e of this.data.entries) e.changes = e.changes.filter((c) => c.side !== side);
  }

  /** Entries [from, to) show `state` for `side`. */
  setState(side: Side, from: number, to: number, state: TcpState): void {
    const entries = this.data.entries;
    for (let i = Math.max(0, from); i < Math.min(to, entries.length); i++) entries[i]!.states[idx(side)] = state;
  }

  /**
   * The segment of entry `at` had not arrived when its receiver sent its next one: mark it
   * crossed and take back the receipt's changes and events (they are recorded again later).
   */
  uncross(at: number, changes: TimelineEntry['changes'], events: TimelineEntry['events']): void {
    const e = this.data.entries[at];
    if (!e) return;
    e.crossed = true;
    e.changes = e.changes.filter((c) => !changes.includes(c));
    e.events = e.events.filter((c) => !events.includes(c));
  }
}
