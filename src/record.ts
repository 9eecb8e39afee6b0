/** What the in-order pass knows about one packet: its layers and everything computed from them. */
import type { Packet } from './decode/types.js';
import type { TcpInfo } from './tcp/types.js';
import type { QuotedTcpInfo } from './tcp/quoted.js';
import type { AppInfo } from './app/types.js';

export interface PacketRecord {
  packet: Packet;
  /** TCP numbers (tcp.stream, relative seq/ack…) when the packet carries a full TCP header */
  tcp: TcpInfo | undefined;
  /** a TCP header quoted by an ICMP error: the conversation it names (src/tcp/quoted.ts) */
  quoted?: QuotedTcpInfo;
  /** frame.time_relative: since the first frame of the capture */
  relSec: number; relNsec: number;
  /** frame.time_delta: since the previous frame */
  deltaSec: number; deltaNsec: number;
  /** application layer (HTTP, TLS, reassembled PDUs) shown on this frame, as tshark shows it (src/app/stage.ts) */
  app?: AppInfo;
}

/** The HTTP request/response line or TLS server name the application stage attached to a record, if any (lifecycle timelines). */
export function appLine(rec: PacketRecord): string | null {
  const http = rec.app?.http, tls = rec.app?.tls;
  return http?.requestLine || http?.responseLine || (tls?.serverName ? `TLS ClientHello SNI=${tls.serverName}` : null) || null;
}
