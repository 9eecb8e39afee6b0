/** tls.* fields: record and handshake headers of the TLS records tshark shows on the frame. */
import type { FieldDef, FieldValue } from './registry.js';
import { bytes, str, uhex, uint } from './make.js';
import type { PacketRecord } from '../record.js';
import type { TlsHandshake, TlsRecord } from '../app/types.js';

function records(f: (r: TlsRecord, out: FieldValue[]) => void) {
  return (rec: PacketRecord, out: FieldValue[]): void => {
    const rs = rec.app?.tls?.records;
    if (rs) for (const r of rs) f(r, out);
  };
}
function handshakes(f: (h: TlsHandshake, out: FieldValue[]) => void) {
  return records((r, out) => { for (const h of r.handshakes) f(h, out); });
}

/** The tls fields, in the order tshark's protocol tree shows them. */
export const TLS_FIELDS: FieldDef[] = [
  // One occurrence per time TLS was handed data on this frame (its value: those bytes).
  { name: 'tls', title: 'Transport Layer Security', type: 'protocol', text: () => 'tls', get: (rec, out) => { const c = rec.app?.tls?.calls; if (c) for (const b of c) out.push(b); } },
  { name: 'tls.record', title: 'Record Layer', type: 'none', text: () => '1', get: records((_r, out) => { out.push(1); }) },
  uint('tls.record.content_type', 'Content Type', 8, records((r, out) => { if (!r.opaque) out.push(r.contentType); })),
  uint('tls.record.opaque_type', 'Opaque Type', 8, records((r, out) => { if (r.opaque) out.push(r.contentType); })),
  uhex('tls.record.version', 'Version', 16, 4, records((r, out) => { out.push(r.version); })),
  uint('tls.record.length', 'Length', 16, records((r, out) => { out.push(r.length); })),
  // One handshake item per message, and one for a record whose handshake message is encrypted.
  { name: 'tls.handshake', title: 'Handshake Protocol', type: 'none', text: () => '1',
    get: records((r, out) => { if (r.contentType !== 22) return; if (r.encrypted) out.push(1); else for (let i = 0; i < r.handshakes.length; i++) out.push(1); }) },
  uint('tls.handshake.type', 'Handshake Type', 8, handshakes((h, out) => { out.push(h.type); })),
  uint('tls.handshake.length', 'Length', 24, handshakes((h, out) => { out.push(h.length); })),
  uhex('tls.handshake.version', 'Version', 16, 4, handshakes((h, out) => { if (h.version !== undefined) out.push(h.version); })),
  uhex('tls.handshake.ciphersuite', 'Cipher Suite', 16, 4, handshakes((h, out) => { if (h.cipherSuites) for (const c of h.cipherSuites) out.push(c); })),
  str('tls.handshake.extensions_server_name', 'Server Name', handshakes((h, out) => { if (h.serverName !== undefined) out.push(h.serverName); })),
  str('tls.handshake.extensions_alpn_str', 'ALPN Next Protocol', handshakes((h, out) => { if (h.alpn) for (const a of h.alpn) out.push(a); })),
  uhex('tls.handshake.extensions.supported_version', 'Supported Version', 16, 4, handshakes((h, out) => { if (h.supportedVersions) for (const v of h.supportedVersions) out.push(v); })),
  { name: 'tls.alert_message', title: 'Alert Message', type: 'none', text: () => '1', get: records((r, out) => { if (r.contentType === 21) out.push(1); }) },
  uint('tls.alert_message.level', 'Level', 8, records((r, out) => { if (r.alert) out.push(r.alert[0]); })),
  uint('tls.alert_message.desc', 'Description', 8, records((r, out) => { if (r.alert) out.push(r.alert[1]); })),
  bytes('tls.app_data', 'Encrypted Application Data', records((r, out) => { if (r.contentType === 23) out.push(r.bytes.subarray(5)); })),
];
