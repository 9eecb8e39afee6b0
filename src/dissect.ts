/**
 * The in-order pass: frame → decoded layers → TCP numbers. One Dissector per capture; feed
 * it every frame in file order. Keeps only per-conversation state, so memory does not grow
 * with the number of packets of a connection.
 */
import type { Frame } from './capture/types.js';
import { decodePacket } from './decode/decode.js';
import { TcpTracker } from './tcp/conversations.js';
import type { PacketRecord } from './record.js';

export class Dissector {
  readonly tcp = new TcpTracker();
  private firstSec = 0;
  private firstNsec = 0;
  private prevSec = 0;
  private prevNsec = 0;
  private seen = 0;

  dissect(frame: Frame): PacketRecord {
    if (this.seen++ === 0) {
      this.firstSec = this.prevSec = frame.tsSec;
      this.firstNsec = this.prevNsec = frame.tsNsec;
    }
    const packet = decodePacket(frame);
    const rec: PacketRecord = {
      packet,
      tcp: this.tcp.track(packet),
      relSec: frame.tsSec - this.firstSec, relNsec: frame.tsNsec - this.firstNsec,
      deltaSec: frame.tsSec - this.prevSec, deltaNsec: frame.tsNsec - this.prevNsec,
    };
    this.prevSec = frame.tsSec;
    this.prevNsec = frame.tsNsec;
    return rec;
  }
}
