/**
 * Link layers beyond Ethernet/SLL/loopback/raw IP, as tshark 4.0 decodes them by default:
 * FDDI and IEEE 802.2 LLC/SNAP, Cisco HDLC, PPP, PPI, radiotap and IEEE 802.11 data frames,
 * NFLOG, PKTAP, ARCNET. (IP over InfiniBand is left to the "not decoded" notice: tshark 4.0 looks
 * for a Global Route Header there first.) Each returns to the registry (`w.to`) for what it carries.
 */
import type { Walk } from './walk.js';

/** LINKTYPE_* numbers and names (https://www.tcpdump.org/linktypes.html) for the "not decoded" notice. */
export const LINK_NAMES: Record<number, string> = {
  0: 'NULL', 1: 'Ethernet', 3: 'AX.25', 6: 'Token Ring', 7: 'ARCNET (BSD)', 8: 'SLIP', 9: 'PPP', 10: 'FDDI',
  50: 'PPP in HDLC-like framing', 51: 'PPPoE', 100: 'ATM RFC 1483', 101: 'raw IP', 104: 'Cisco HDLC', 105: 'IEEE 802.11',
  107: 'Frame Relay', 108: 'OpenBSD loopback', 113: 'Linux cooked', 114: 'LocalTalk', 117: 'OpenBSD pflog', 119: 'Prism',
  122: 'IP over Fibre Channel', 127: 'radiotap', 129: 'ARCNET (Linux)', 138: 'Apple IP over IEEE 1394', 139: 'MTP2 with PHDR',
  143: 'DOCSIS', 147: 'USER0', 148: 'USER1', 149: 'USER2', 163: 'AVS 802.11', 165: 'BACnet MS/TP', 166: 'PPP PPPD', 169: 'GPRS LLC',
  177: 'LAPD', 178: 'Juniper Ethernet', 187: 'Bluetooth HCI H4', 189: 'USB Linux', 192: 'PPI', 195: 'IEEE 802.15.4',
  201: 'Bluetooth HCI H4 with PHDR', 215: 'IEEE 802.15.4 non-ASK PHY', 220: 'USB Linux mmapped', 227: 'SocketCAN', 228: 'raw IPv4',
  229: 'raw IPv6', 239: 'NFLOG', 240: 'Netanalyzer', 242: 'IP over InfiniBand', 247: 'Juniper VP', 248: 'SCTP', 249: 'USBPcap',
  251: 'Bluetooth LE LL', 252: 'Wireshark Upper PDU', 253: 'Linux netlink', 254: 'Bluetooth Linux monitor', 256: 'Bluetooth BR/EDR',
  258: 'Apple PKTAP', 259: 'Ethernet with preamble', 263: 'IPMB', 266: 'Linux netlink', 274: 'Ethernet mPacket', 276: 'Linux cooked v2', 279: 'EBHSCR',
  281: 'Arista Timestamp',
};

/** Decode the link layer `dlt` if this file knows it; false when it does not. */
export function linkType(w: Walk, dlt: number, off: number, cap: number, rep: number): boolean {
  switch (dlt) {
    case 9: case 50: pppLink(w, off, cap, rep); return true;
    case 10: fddi(w, off, cap, rep); return true;
    case 104: chdlc(w, off, cap, rep); return true;
    case 105: wlan(w, off, cap, rep); return true;
    case 127: radiotap(w, off, cap, rep); return true;
    case 192: ppi(w, off, cap, rep); return true;
    case 239: nflog(w, off, cap, rep); return true;
    case 258: pktap(w, off, cap, rep); return true;
    // Apple's tcpdump writes PKTAP as DLT_USER2; tshark 4.0 decodes it as PKTAP too.
    case 149: pktap(w, off, cap, rep); return true;
    case 178: juniperEther(w, off, cap, rep); return true;
    case 274: mpacket(w, off, cap, rep); return true;
    case 7: arcnet(w, off, cap, rep, false); return true;
    case 129: arcnet(w, off, cap, rep, true); return true;
    default: return false;
  }
}

/** CRC-32 (IEEE 802.3) table. */
let crcTable: Uint32Array | undefined;
function crc32(d: Uint8Array, from: number, to: number): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; crcTable[n] = c >>> 0; }
  }
  let c = 0xffffffff;
  for (let i = from; i < to; i++) c = crcTable[(c ^ d[i]!) & 255]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * ETHERNET_MPACKET (274): an IEEE 802.3br mPacket, seven 0x55 preamble bytes, the SMD, the frame and
 * a 4-byte mCRC. tshark 4.0 decodes an express frame (SMD-E 0xd5) as Ethernet only when the mCRC
 * matches; otherwise (and for other SMDs, not checked against tshark) the bytes are data.
 */
function mpacket(w: Walk, off: number, cap: number, rep: number): void {
  if (cap - off < 12) { w.truncated('fpp', 'mPacket preamble and CRC'); return; }
  const d = w.pkt.frame.data;
  const smd = d[off + 7]!;
  const end = Math.min(cap, rep) - 4;
  const fcs = d[end]! | (d[end + 1]! << 8) | (d[end + 2]! << 16) | (d[end + 3]! << 24);
  const crcOk = cap === rep && crc32(d, off + 8, end) === (fcs >>> 0);
  w.layers.push({ kind: 'fpp', offset: off, smd, crcOk });
  if (smd === 0xd5 && crcOk) w.to.ethernet(w, off + 8, end, end);
  else w.data(off + 8, end, 'fpp mData');
}

/** IEEE 802.2 LLC; SNAP (DSAP/SSAP 0xaa) with OUI 0 carries an ethertype. */
export function llc(w: Walk, off: number, cap: number, rep: number): void {
  if (cap - off < 3) { w.truncated('llc', 'LLC header'); return; }
  const dsap = w.u8(off), ssap = w.u8(off + 1);
  const u = (w.u8(off + 2) & 3) === 3;
  if (!u && cap - off < 4) { w.truncated('llc', 'LLC header'); return; }
  const control = u ? w.u8(off + 2) : w.u16(off + 2);
  const p = off + (u ? 3 : 4);
  if ((dsap & 0xfe) === 0xaa && (ssap & 0xfe) === 0xaa && u) {
    if (cap - p < 5) { w.truncated('llc', 'SNAP header'); return; }
    const oui = (w.u8(p) << 16) | w.u16(p + 1), pid = w.u16(p + 3);
    w.layers.push({ kind: 'llc', offset: off, dsap, ssap, control, oui, pid });
    if (oui === 0 || oui === 0xf8) w.to.ethertype(w, pid, p + 5, cap, rep);
    else w.data(p + 5, cap, `snap oui 0x${oui.toString(16).padStart(6, '0')}`);
    return;
  }
  w.layers.push({ kind: 'llc', offset: off, dsap, ssap, control });
  if (dsap === 0x06 && u) w.to.ipv4(w, p, cap, rep);
  else w.data(p, cap, `llc dsap 0x${dsap.toString(16).padStart(2, '0')}`);
}

function fddi(w: Walk, off: number, cap: number, rep: number): void {
  if (cap - off < 13) { w.truncated('fddi', 'FDDI header'); return; }
  const fc = w.u8(off);
  w.layers.push({ kind: 'fddi', offset: off, fc });
  // Frame control 0x50-0x57 (and the 0x4x/0x5x async LLC classes) carry LLC.
  if ((fc & 0x30) === 0x10) llc(w, off + 13, cap, rep);
  else w.data(off + 13, cap, `fddi fc 0x${fc.toString(16).padStart(2, '0')}`);
}

function chdlc(w: Walk, off: number, cap: number, rep: number): void {
  if (cap - off < 4) { w.truncated('chdlc', 'Cisco HDLC header'); return; }
  const protocol = w.u16(off + 2);
  w.layers.push({ kind: 'chdlc', offset: off, address: w.u8(off), control: w.u8(off + 1), protocol });
  w.to.ethertype(w, protocol, off + 4, cap, rep);
}

function pppLink(w: Walk, off: number, cap: number, rep: number): void {
  // Address 0xff and control 0x03 are present in HDLC-like framing and may be in DLT_PPP.
  if (cap - off >= 2 && w.u8(off) === 0xff && w.u8(off + 1) === 0x03) off += 2;
  w.to.ppp(w, off, cap, rep);
}

function radiotap(w: Walk, off: number, cap: number, rep: number): void {
  if (cap - off < 8) { w.truncated('radiotap', 'radiotap header'); return; }
  const length = w.le16(off + 2);
  if (length < 8 || off + length > cap) { w.malformed('radiotap', `radiotap length ${length} is invalid`, 'link-bad-header'); return; }
  w.layers.push({ kind: 'radiotap', offset: off, length, dlt: 105 });
  wlan(w, off + length, cap, rep);
}

function ppi(w: Walk, off: number, cap: number, rep: number): void {
  if (cap - off < 8) { w.truncated('ppi', 'PPI header'); return; }
  const length = w.le16(off + 2), dlt = w.le32(off + 4);
  if (length < 8 || off + length > cap) { w.malformed('ppi', `PPI length ${length} is invalid`, 'link-bad-header'); return; }
  w.layers.push({ kind: 'ppi', offset: off, length, dlt });
  if (w.depth++ > 4) return;
  w.to.linktype(w, dlt, off + length, cap, rep);
}

/** IEEE 802.11: data frames carry LLC/SNAP (unless protected or without a body). */
function wlan(w: Walk, off: number, cap: number, rep: number): void {
  if (cap - off < 10) { w.truncated('wlan', 'IEEE 802.11 header'); return; }
  const fc0 = w.u8(off), fc1 = w.u8(off + 1);
  const type = (fc0 >> 2) & 3, subtype = fc0 >> 4;
  if (type !== 2) {
    w.layers.push({ kind: 'wlan', offset: off, fc: (fc0 << 8) | fc1, hdrLen: Math.min(24, cap - off), addrs: 0 });
    w.data(off + Math.min(24, cap - off), cap, `wlan type ${type}`);
    return;
  }
  const four = (fc1 & 3) === 3;
  const qos = (subtype & 8) !== 0;
  let hdrLen = 24 + (four ? 6 : 0) + (qos ? 2 : 0);
  if (qos && (fc1 & 0x80)) hdrLen += 4; // HT control
  if (cap - off < hdrLen) { w.truncated('wlan', 'IEEE 802.11 header'); return; }
  w.layers.push({ kind: 'wlan', offset: off, fc: (fc0 << 8) | fc1, hdrLen, addrs: four ? 4 : 3 });
  if (subtype & 4) return; // null data: no body
  if (fc1 & 0x40) { w.data(off + hdrLen, cap, 'wlan protected'); return; }
  llc(w, off + hdrLen, cap, rep);
}

/** Linux NFLOG: a small header, then TLVs in host (little-endian) order; the packet is TLV 9. */
function nflog(w: Walk, off: number, cap: number, rep: number): void {
  if (cap - off < 4) { w.truncated('nflog', 'NFLOG header'); return; }
  const family = w.u8(off);
  w.layers.push({ kind: 'nflog', offset: off, family, version: w.u8(off + 1), resId: w.u16(off + 2) });
  let p = off + 4;
  for (let i = 0; i < 64 && cap - p >= 4; i++) {
    const len = w.le16(p), type = w.le16(p + 2) & 0x7fff;
    if (len < 4 || p + len > cap) { w.malformed('nflog', `NFLOG TLV length ${len} is invalid`, 'link-bad-header'); return; }
    if (type === 9) {
      const end = p + len;
      if (family === 2) w.to.ipv4(w, p + 4, end, Math.min(rep, end));
      else if (family === 10) w.to.ipv6(w, p + 4, end, Math.min(rep, end));
      else w.to.ipByVersion(w, p + 4, end, Math.min(rep, end));
      return;
    }
    p += (len + 3) & ~3;
  }
}

/** Apple PKTAP: a little-endian header with its own length and the link type of what follows. */
function pktap(w: Walk, off: number, cap: number, rep: number): void {
  if (cap - off < 8) { w.truncated('pktap', 'PKTAP header'); return; }
  const length = w.le32(off), dlt = w.le32(off + 4);
  if (length < 8 || off + length > cap) { w.malformed('pktap', `PKTAP header length ${length} is invalid`, 'link-bad-header'); return; }
  w.layers.push({ kind: 'pktap', offset: off, length, dlt });
  if (w.depth++ > 4) return;
  w.to.linktype(w, dlt, off + length, cap, rep);
}

/** ARCNET: source, destination, (Linux: 2-byte offset), protocol; RFC 1201 adds split flag and sequence. */
function arcnet(w: Walk, off: number, cap: number, rep: number, linux: boolean): void {
  const base = linux ? 5 : 3;
  if (cap - off < base) { w.truncated('arcnet', 'ARCNET header'); return; }
  const protocol = w.u8(off + base - 1);
  let hdrLen = base;
  const rfc1201 = protocol === 0xd4 || protocol === 0xd5 || protocol === 0xd6 || protocol === 0xd7;
  if (rfc1201) {
    if (cap - off < base + 3) { w.truncated('arcnet', 'ARCNET header'); return; }
    hdrLen += 3;
    if (w.u8(off + base) === 0xff) hdrLen += 4; // exception packet: padding and the header again
  }
  if (cap - off < hdrLen) { w.truncated('arcnet', 'ARCNET header'); return; }
  w.layers.push({ kind: 'arcnet', offset: off, src: w.u8(off), dst: w.u8(off + 1), protocol, hdrLen });
  const p = off + hdrLen;
  if (protocol === 0xd4 || protocol === 0xf0) w.to.ipv4(w, p, cap, rep);
  else if (protocol === 0xc4) w.to.ipv6(w, p, cap, rep);
  else w.data(p, cap, `arcnet protocol 0x${protocol.toString(16).padStart(2, '0')}`);
}

/**
 * Juniper Ethernet (178): magic "MGC", flags (0x80: extension TLVs follow, 0x02: no layer-2
 * header), the extensions' total length and bytes, then the Ethernet frame.
 */
function juniperEther(w: Walk, off: number, cap: number, rep: number): void {
  if (cap - off < 4) { w.truncated('juniper', 'Juniper header'); return; }
  const magic = (w.u8(off) << 16) | w.u16(off + 1), flags = w.u8(off + 3);
  if (magic !== 0x4d4743) { w.malformed('juniper', `Juniper magic 0x${magic.toString(16)} is not MGC`, 'link-bad-header'); return; }
  let p = off + 4;
  let extLen = 0;
  if (flags & 0x80) {
    if (cap - p < 2) { w.truncated('juniper', 'Juniper extension length'); return; }
    extLen = w.u16(p);
    p += 2 + extLen;
    if (p > cap) { w.truncated('juniper', 'Juniper extensions'); return; }
  }
  w.layers.push({ kind: 'juniper', offset: off, flags, extLen, length: p - off });
  if (flags & 0x02) { w.data(p, cap, 'juniper no-l2 payload'); return; }
  w.to.ethernet(w, p, cap, rep);
}
