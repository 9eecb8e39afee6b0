/**
 * The in-order pass: frame → decoded layers → TCP numbers and analysis → application layer →
 * observers (connection lifecycle, statistics). One Dissector per capture; feed it every frame
 * in file order. Keeps only per-conversation state, so memory does not grow with the number
 * of packets of a connection.
 */
import type { Frame } from './capture/types.js';
import { PacketDecoder } from './decode/decode.js';
import { TcpTracker } from './tcp/conversations.js';
import type { PacketRecord } from './record.js';
import { AppStage } from './app/stage.js';
import { FtpExpectations } from './app/ftp-expect.js';

/** Something that wants to see every record after the TCP stage (in file order). */
export interface RecordObserver {
  observe(rec: PacketRecord): void;
}

export interface DissectorOptions {
  /** run the HTTP/TLS stage (default true); false when no output reads `rec.app` */
  app?: boolean;
}

export class Dissector {
  /** FTP passive-mode replies announce data connections (tcp.completeness of their SYN) */
  private readonly ftp = new FtpExpectations();
  /** decodes in file order (IP reassembly) and counts what it did not decode: `decoder.undecoded` */
  readonly decoder = new PacketDecoder();
  readonly tcp = new TcpTracker(this.ftp);
  /** HTTP and TLS over reassembled streams (sets `rec.app`): the first observer */
  readonly app = new AppStage();
  /** run in order after the TCP stage; the application layer registers first (when wanted) */
  private readonly observers: RecordObserver[];
  private firstSec = 0;
  private firstNsec = 0;
  private prevSec = 0;
  private prevNsec = 0;
  private seen = 0;

  /**
   * `app: false` leaves out the HTTP/TLS stage (`rec.app` stays unset): for outputs that never
   * read it (TCP-only fields, `conns`, `-z conv,tcp`), it was a third of their time.
   */
  constructor(opts: DissectorOptions = {}) {
    this.observers = opts.app === false ? [] : [this.app];
  }

  /** Add a stage that sees every record from now on (after the stages added before it). */
  addObserver(o: RecordObserver): void {
    this.observers.push(o);
  }

  dissect(frame: Frame): PacketRecord {
    if (this.seen++ === 0) {
      this.firstSec = this.prevSec = frame.tsSec;
      this.firstNsec = this.prevNsec = frame.tsNsec;
    }
    const packet = this.decoder.decode(frame);
    const tcp = this.tcp.track(packet);
    if (tcp) this.ftp.inspect(packet);
    const rec: PacketRecord = {
      packet,
      tcp,
      relSec: frame.tsSec - this.firstSec, relNsec: frame.tsNsec - this.firstNsec,
      deltaSec: frame.tsSec - this.prevSec, deltaNsec: frame.tsNsec - this.prevNsec,
    };
    if (!tcp) { const q = this.tcp.trackQuoted(packet); if (q) rec.quoted = q; }
    this.prevSec = frame.tsSec;
    this.prevNsec = frame.tsNsec;
    for (let i = 0; i < this.observers.length; i++) this.observers[i]!.observe(rec);
    return rec;
  }
}
