/**
 * TLS record and handshake headers over reassembled TCP streams, as tshark 4.0 shows them
 * (observed): every complete record is described in the info column, joined with ", "
 * (`Server Hello, Change Cipher Spec, Application Data`); a record cut by the segment end is
 * reassembled. The protocol column is the session version once a ServerHello chose it
 * (supported_versions, else its version), before that the record-layer version
 * (`TLSv1` for a ClientHello sent in a 0x0301 record). Nothing is decrypted.
 */
import type { TlsHandshake, TlsRecord } from './types.js';

export const TLS_HANDSHAKE_NAMES: Record<number, string> = {
  0: 'Hello Request', 1: 'Client Hello', 2: 'Server Hello', 3: 'Hello Verify Request', 4: 'New Session Ticket',
  5: 'End of Early Data', 6: 'Hello Retry Request', 8: 'Encrypted Extensions', 11: 'Certificate', 12: 'Server Key Exchange',
  13: 'Certificate Request', 14: 'Server Hello Done', 15: 'Certificate Verify', 16: 'Client Key Exchange', 20: 'Finished',
  21: 'Certificate URL', 22: 'Certificate Status', 23: 'Supplemental Data', 24: 'Key Update', 25: 'Compressed Certificate',
  254: 'Message Hash',
};

export const TLS_CONTENT_TYPES: Record<number, string> = {
  20: 'Change Cipher Spec', 21: 'Alert', 22: 'Handshake', 23: 'Application Data', 24: 'Heartbeat',
};

const ALERT_LEVELS: Record<number, string> = { 1: 'Warning', 2: 'Fatal' };
const ALERT_DESCRIPTIONS: Record<number, string> = {
  0: 'Close Notify', 10: 'Unexpected Message', 20: 'Bad Record MAC', 21: 'Decryption Failed', 22: 'Record Overflow',
  30: 'Decompression Failure', 40: 'Handshake Failure', 41: 'No Certificate', 42: 'Bad Certificate', 43: 'Unsupported Certificate',
  44: 'Certificate Revoked', 45: 'Certificate Expired', 46: 'Certificate Unknown', 47: 'Illegal Parameter', 48: 'Unknown CA',
  49: 'Access Denied', 50: 'Decode Error', 51: 'Decrypt Error', 60: 'Export Restriction', 70: 'Protocol Version',
  71: 'Insufficient Security', 80: 'Internal Error', 86: 'Inappropriate Fallback', 90: 'User Canceled', 100: 'No Renegotiation',
  109: 'Missing Extension', 110: 'Unsupported Extension', 111: 'Certificate Unobtainable', 112: 'Unrecognized Name',
  113: 'Bad Certificate Status Response', 114: 'Bad Certificate Hash Value', 115: 'Unknown PSK Identity',
  116: 'Certificate Required', 120: 'No application Protocol',
};

/** `TLSv1.2` for 0x0303 … as tshark names versions in the protocol column. */
export function tlsVersionName(v: number): string {
  switch (v) {
    case 0x0300: return 'SSLv3';
    case 0x0301: return 'TLSv1';
    case 0x0302: return 'TLSv1.1';
    case 0x0303: return 'TLSv1.2';
    case 0x0304: return 'TLSv1.3';
    default: return 'TLS';
  }
}

/** The SHA-256 of "HelloRetryRequest": a ServerHello with this random is a HelloRetryRequest (RFC 8446 4.1.3). */
const HRR_RANDOM = [0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
  0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c];

export const TLS_HEADER = 5;
/** Largest record tshark accepts: 2^14 plus room for compression/encryption expansion. */
const MAX_RECORD = 16384 + 2048;

/** Is there a plausible record header at `at`? (content type 20–24, version 3.x, sane length) */
export function isRecordHeader(b: Uint8Array, at: number, end: number): boolean {
  if (end - at < TLS_HEADER) return false;
  const t = b[at]!;
  if (t < 20 || t > 24) return false;
  if (b[at + 1] !== 3 || b[at + 2]! > 4) return false;
  const len = (b[at + 3]! << 8) | b[at + 4]!;
  return len <= MAX_RECORD;
}

/** Could the (fewer than 5) bytes at `at` be the start of a record header? */
export function couldStartRecord(b: Uint8Array, at: number, end: number): boolean {
  const n = end - at;
  if (n <= 0) return false;
  const t = b[at]!;
  if (t < 20 || t > 24) return false;
  if (n >= 2 && b[at + 1] !== 3) return false;
  if (n >= 3 && b[at + 2]! > 4) return false;
  return true;
}

/** Per-connection TLS state that decides how records are shown. */
export interface TlsSession {
  /** version chosen by the ServerHello (0 until seen) */
  version: number;
  /** a ChangeCipherSpec was seen from side 0 / 1 (TLS ≤ 1.2: what follows is encrypted) */
  ccs: [boolean, boolean];
}

export function newTlsSession(): TlsSession {
  return { version: 0, ccs: [false, false] };
}

/** Parse one complete record at `at` (the caller checked its header and length). */
export function parseRecord(b: Uint8Array, at: number, s: TlsSession, dir: 0 | 1): TlsRecord {
  const contentType = b[at]!;
  const version = (b[at + 1]! << 8) | b[at + 2]!;
  const length = (b[at + 3]! << 8) | b[at + 4]!;
  const body = b.subarray(at + TLS_HEADER, at + TLS_HEADER + length);
  const tls12Encrypted = s.ccs[dir] && s.version !== 0x0304;
  const rec: TlsRecord = {
    contentType, version, length, encrypted: false, handshakes: [], description: '',
    bytes: b.subarray(at, at + TLS_HEADER + length), opaque: contentType === 23 && s.version === 0x0304,
  };
  switch (contentType) {
    case 20:
      rec.description = 'Change Cipher Spec';
      s.ccs[dir] = true;
      break;
    case 21:
      if (tls12Encrypted || length !== 2) { rec.encrypted = true; rec.description = 'Encrypted Alert'; }
      else {
        rec.alert = [body[0]!, body[1]!];
        rec.description = `Alert (Level: ${ALERT_LEVELS[body[0]!] ?? 'Unknown'}, Description: ${ALERT_DESCRIPTIONS[body[1]!] ?? 'Unknown'})`;
      }
      break;
    case 22: {
      const hs = tls12Encrypted ? undefined : parseHandshakes(body, s);
      if (!hs) { rec.encrypted = true; rec.description = 'Encrypted Handshake Message'; }
      else { rec.handshakes = hs; rec.description = hs.map((h) => handshakeName(h)).join(', '); }
      break;
    }
    case 23:
      rec.encrypted = true;
      rec.description = 'Application Data';
      break;
    case 24:
      rec.encrypted = tls12Encrypted;
      rec.description = tls12Encrypted ? 'Encrypted Heartbeat' : `Heartbeat ${body[0] === 1 ? 'Request' : body[0] === 2 ? 'Response' : ''}`.trimEnd();
      break;
  }
  return rec;
}

function handshakeName(h: TlsHandshake): string {
  return TLS_HANDSHAKE_NAMES[h.type] ?? `Unknown Handshake Message (${h.type})`;
}

/**
 * The handshake messages of a record, or undefined when the record does not hold well-formed
 * messages (then it is encrypted: a Finished after ChangeCipherSpec, or a capture without keys).
 */
function parseHandshakes(body: Uint8Array, s: TlsSession): TlsHandshake[] | undefined {
  const out: TlsHandshake[] = [];
  let i = 0;
  while (i < body.length) {
    if (body.length - i < 4) return out.length ? out : undefined;
    const type = body[i]!;
    const len = (body[i + 1]! << 16) | (body[i + 2]! << 8) | body[i + 3]!;
    if (!(type in TLS_HANDSHAKE_NAMES)) return undefined;
    // A message longer than the record continues in the next record: describe it by its type.
    if (i + 4 + len > body.length) {
      if (out.length === 0 && len > body.length + 65536) return undefined;
      out.push({ type, length: len });
      return out;
    }
    const h: TlsHandshake = { type, length: len };
    const m = body.subarray(i + 4, i + 4 + len);
    if (type === 1) clientHello(m, h);
    else if (type === 2) serverHello(m, h, s);
    out.push(h);
    i += 4 + len;
  }
  return out.length ? out : undefined;
}

const latin1 = (b: Uint8Array): string => { let s = ''; for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]!); return s; };
const u16 = (b: Uint8Array, i: number): number => (b[i]! << 8) | b[i + 1]!;

function clientHello(m: Uint8Array, h: TlsHandshake): void {
  if (m.length < 35) return;
  h.version = u16(m, 0);
  let i = 34;
  i += 1 + m[i]!; // session id
  if (i + 2 > m.length) return;
  const csLen = u16(m, i); i += 2;
  const cs: number[] = [];
  for (let k = 0; k + 1 < csLen && i + k + 1 < m.length; k += 2) cs.push(u16(m, i + k));
  h.cipherSuites = cs;
  i += csLen;
  if (i >= m.length) return;
  i += 1 + m[i]!; // compression methods
  extensions(m, i, h, true);
}

function serverHello(m: Uint8Array, h: TlsHandshake, s: TlsSession): void {
  if (m.length < 35) return;
  h.version = u16(m, 0);
  let hrr = true;
  for (let k = 0; k < 32; k++) if (m[2 + k] !== HRR_RANDOM[k]) { hrr = false; break; }
  if (hrr) h.type = 6;
  let i = 34;
  i += 1 + m[i]!; // session id
  if (i + 3 > m.length) { s.version = h.version; return; }
  h.cipherSuites = [u16(m, i)];
  i += 3; // cipher suite + compression method
  extensions(m, i, h, false);
  if (h.type === 2) s.version = h.supportedVersions?.[0] ?? h.version;
}

function extensions(m: Uint8Array, at: number, h: TlsHandshake, client: boolean): void {
  if (at + 2 > m.length) return;
  const end = Math.min(m.length, at + 2 + u16(m, at));
  let i = at + 2;
  while (i + 4 <= end) {
    const type = u16(m, i);
    const len = u16(m, i + 2);
    const d = m.subarray(i + 4, Math.min(end, i + 4 + len));
    i += 4 + len;
    if (type === 0 && client && d.length >= 5) {
      // server_name list: the first host_name entry
      let k = 2;
      while (k + 3 <= d.length) {
        const nt = d[k]!; const nl = u16(d, k + 1);
        if (nt === 0 && h.serverName === undefined) h.serverName = latin1(d.subarray(k + 3, k + 3 + nl));
        k += 3 + nl;
      }
    } else if (type === 16 && d.length >= 2) {
      const list: string[] = [];
      let k = 2;
      while (k < d.length) { const n = d[k]!; list.push(latin1(d.subarray(k + 1, k + 1 + n))); k += 1 + n; }
      h.alpn = list;
    } else if (type === 43) {
      if (client) {
        const list: number[] = [];
        for (let k = 1; k + 1 < d.length && k <= d[0]!; k += 2) list.push(u16(d, k));
        h.supportedVersions = list;
      } else if (d.length >= 2) h.supportedVersions = [u16(d, 0)];
    }
  }
}
