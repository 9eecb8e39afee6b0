/**
 * FTP passive-mode sniffing: connections announced before their first packet. Wireshark's FTP dissector creates the
 * conversation of a data connection as soon as the control connection announces it
 * (227 / 229 passive-mode replies). When that connection's SYN arrives, the
 * conversation already exists, so Wireshark 4.0 does not treat the SYN as opening a new
 * conversation and `tcp.completeness` does not get its SYN bit. tcpscope keeps a small
 * table of such announcements to show the same values.
 *
 * Only segments from TCP port 21 are looked at, and only their first bytes. The Dissector
 * (src/dissect.ts) shows it every segment with payload and hands it to the TCP tracker as
 * its ExpectedConversations.
 */
import type { Packet } from '../decode/types.js';
import type { ExpectedConversations } from '../tcp/conversations.js';

/** Announcements kept at most (the oldest is forgotten first). */
export const MAX_ANNOUNCEMENTS = 4096;

const FTP_PORT = 21;

/** Address bytes as a string key (same for IPv4 and IPv6: one char per byte). */
function addrText(d: Uint8Array, off: number, len: number): string {
  let s = '';
  for (let i = 0; i < len; i++) s += String.fromCharCode(d[off + i]!);
  return s;
}

function ascii(d: Uint8Array, off: number, len: number): string {
  let s = '';
  for (let i = 0; i < len; i++) s += String.fromCharCode(d[off + i]!);
  return s;
}

export class FtpExpectations implements ExpectedConversations {
  private readonly table = new Map<string, true>();

  /** Remember that `listenAddr:port` will be connected to from `peerAddr`. */
  private add(listenAddr: string, port: number, peerAddr: string): void {
    if (this.table.size >= MAX_ANNOUNCEMENTS) {
      const first = this.table.keys().next();
      if (!first.done) this.table.delete(first.value);
    }
    this.table.set(`${listenAddr}|${port}|${peerAddr}`, true);
  }

  /**
   * Look at one TCP segment: on the FTP control port, a passive-mode reply announces a data
   * connection.
   */
  inspect(pkt: Packet): void {
    const tcp = pkt.tcp, ip = pkt.ip;
    if (!tcp || !ip || tcp.len === 0) return;
    const d = pkt.frame.data, src = ip.srcOffset, dst = ip.dstOffset, alen = ip.kind === 'ipv4' ? 4 : 16;
    const sport = tcp.srcPort, payloadOffset = tcp.payloadOffset, payloadLen = tcp.payloadCaptured;
    if (sport !== FTP_PORT || payloadLen < 5) return;
    const text = ascii(d, payloadOffset, Math.min(payloadLen, 160));
    const srcA = addrText(d, src, alen), dstA = addrText(d, dst, alen);
    // Only passive mode is followed: observed with tshark 4.0.17, an EPRT-announced connection
    // (which the server opened from another port than 20) still counted as new.
    if (sport === FTP_PORT) {
      // 227 Entering Passive Mode (h1,h2,h3,h4,p1,p2)  /  229 Entering Extended Passive Mode (|||port|)
      if (text.startsWith('227')) {
        const m = /(\d+),(\d+),(\d+),(\d+),(\d+),(\d+)/.exec(text);
        if (m) {
          const addr = String.fromCharCode(+m[1]!, +m[2]!, +m[3]!, +m[4]!);
          this.add(alen === 4 ? addr : srcA, (+m[5]! << 8) | +m[6]!, dstA);
        }
      } else if (text.startsWith('229')) {
        const m = /\((.)\1\1(\d+)\1\)/.exec(text);
        if (m) this.add(srcA, +m[2]!, dstA);
      }
    }
  }

  /** True (once) when the connection of this first packet was announced. */
  claim(pkt: Packet): boolean {
    const tcp = pkt.tcp, ip = pkt.ip;
    if (!this.table.size || !tcp || !ip) return false;
    const d = pkt.frame.data, src = ip.srcOffset, dst = ip.dstOffset, alen = ip.kind === 'ipv4' ? 4 : 16;
    const sport = tcp.srcPort, dport = tcp.dstPort;
    const srcA = addrText(d, src, alen), dstA = addrText(d, dst, alen);
    for (const key of [`${dstA}|${dport}|${srcA}`, `${srcA}|${sport}|${dstA}`]) {
      if (this.table.delete(key)) return true;
    }
    return false;
  }
}
