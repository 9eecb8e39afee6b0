/**
 * Which TCP ports tshark 4.0 hands to HTTP and TLS (facts read from `tshark -G decodes`, the
 * `tcp.port` table). tshark tries the lower port first, then the higher one, and then its
 * heuristics; so HTTP or TLS found by their first bytes count only where no other dissector
 * claimed the data.
 */

const parse = (s: string): Set<number> => {
  const out = new Set<number>();
  for (const part of s.split(',')) {
    const [a, b] = part.split('-').map(Number) as [number, number | undefined];
    for (let p = a; p <= (b ?? a); p++) out.add(p);
  }
  return out;
};

export const HTTP_PORTS = parse('80,631,1900,2710,2869,3128,3132,3689,5985,8080,8088,11371');
export const TLS_PORTS = parse('324,443,465,636,802,853,993,995,1300,2221,2443,3249-3252,3496,5061,5671,5684,5868,8883,11207,19999,27017');
/** Text protocols whose tshark dissector hands the connection to TLS after STARTTLS (POP3 STLS, IMAP, SMTP, FTP AUTH TLS, XMPP, NNTP). */
export const STARTTLS_PORTS = new Set([21, 25, 110, 119, 143, 587, 5222]);
/**
 * Ports tshark hands to a dissector of another protocol that takes whatever data comes
 * (text protocols such as FTP, telnet, SMTP, POP3, IMAP, IRC, and SSH, DNS, PPTP, X11,
 * databases…): HTTP or TLS found by their first bytes is not shown there. Dissectors on other
 * registered ports give up on data that is not theirs, and tshark's heuristics run after them,
 * so those ports are not listed (e.g. 9000 belongs to S101, yet HTTP on it is shown as HTTP).
 */
export const OTHER_PORTS = parse('7,13,19-23,25,53,79,110,119,139,143,179,389,445,513-515,587,1723,3306,5222,5432,6000-6063,6379,6666-6668');

export type PortClass = 'http' | 'tls' | 'starttls' | 'other' | 'none';

function classOf(port: number): PortClass {
  if (HTTP_PORTS.has(port)) return 'http';
  if (TLS_PORTS.has(port)) return 'tls';
  if (STARTTLS_PORTS.has(port)) return 'starttls';
  if (OTHER_PORTS.has(port)) return 'other';
  return 'none';
}

/** What tshark would hand a connection between these ports to: the lower port decides first. */
export function portClass(a: number, b: number): PortClass {
  const lo = Math.min(a, b), hi = Math.max(a, b);
  const c = classOf(lo);
  return c !== 'none' ? c : classOf(hi);
}
