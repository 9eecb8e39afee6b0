/**
 * The tunnels a packet's innermost IP travelled in, outermost first: what `conns --json` reports
 * as `tunnel` for a tunnelled connection. Each hop names the tunnel (Wireshark's protocol name),
 * the outer IP endpoints around it and its identifier (VNI, GRE key, TEID, I-SID) when it has one.
 */
import type { Packet, IpLayer } from './types.js';
import { ipv4, ipv6At } from '../core/format.js';

export interface TunnelHop {
  type: 'vxlan' | 'geneve' | 'gre' | 'gtp' | 'teredo' | 'ayiya' | 'ip-in-ip' | 'ieee8021ah';
  /** outer source and destination address (empty when the tunnel is below IP, as 802.1ah) */
  src: string;
  dst: string;
  /** VXLAN/Geneve VNI, GRE key, GTP TEID, 802.1ah I-SID; null when the tunnel has none */
  id: number | null;
}

const addr = (d: Uint8Array, ip: IpLayer | undefined, which: 'src' | 'dst'): string => {
  if (!ip) return '';
  if (ip.kind === 'ipv4') return ipv4(which === 'src' ? ip.src : ip.dst);
  return ipv6At(d, which === 'src' ? ip.srcOffset : ip.dstOffset);
};

/** The tunnel hops of a packet, outermost first (empty for a packet that is not tunnelled). */
export function tunnelsOf(p: Packet): TunnelHop[] {
  const out: TunnelHop[] = [];
  const d = p.frame.data;
  let ip: IpLayer | undefined;
  for (const l of p.layers) {
    switch (l.kind) {
      case 'ipv4': case 'ipv6':
        if (l.quoted) return out;
        // An IP header right inside another one (6in4, 4in6, IP in IP) is a tunnel of its own.
        if (ip && p.layers[p.layers.indexOf(l) - 1] === ip) out.push({ type: 'ip-in-ip', src: addr(d, ip, 'src'), dst: addr(d, ip, 'dst'), id: null });
        ip = l;
        break;
      case 'vxlan': case 'geneve': out.push({ type: l.kind, src: addr(d, ip, 'src'), dst: addr(d, ip, 'dst'), id: l.vni }); break;
      case 'gre': out.push({ type: 'gre', src: addr(d, ip, 'src'), dst: addr(d, ip, 'dst'), id: l.key ?? null }); break;
      case 'gtp': out.push({ type: 'gtp', src: addr(d, ip, 'src'), dst: addr(d, ip, 'dst'), id: l.teid }); break;
      case 'ayiya': out.push({ type: 'ayiya', src: addr(d, ip, 'src'), dst: addr(d, ip, 'dst'), id: null }); break;
      case 'teredo': out.push({ type: 'teredo', src: addr(d, ip, 'src'), dst: addr(d, ip, 'dst'), id: null }); break;
      case 'ieee8021ah': out.push({ type: 'ieee8021ah', src: '', dst: '', id: l.isid }); break;
      default: break;
    }
  }
  return out;
}
