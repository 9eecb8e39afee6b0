/** The window scale of one direction (RFC 7323), as the SYNs negotiated it. */
export type WindowScale =
  /** no SYN of this direction seen yet: the scale cannot be known */
  | { readonly kind: 'unknown' }
  /** the SYNs show that window scaling is not used */
  | { readonly kind: 'none' }
  /** windows of this direction are shifted left by `shift` (0–14) */
  | { readonly kind: 'shift'; readonly shift: number };

export const WS_UNKNOWN: WindowScale = { kind: 'unknown' };
export const WS_NONE: WindowScale = { kind: 'none' };
export const wsShift = (shift: number): WindowScale => ({ kind: 'shift', shift });

/** The shift to apply to a window of this direction: 0 unless a shift was negotiated. */
export function shiftOf(ws: WindowScale): number {
  return ws.kind === 'shift' ? ws.shift : 0;
}

/**
 * tcp.window_size_scalefactor as tshark prints it: 2^shift, -1 when unknown, -2 when window
 * scaling is not used (the only place the -1/-2 values exist).
 */
export function scaleFactorField(ws: WindowScale): number {
  return ws.kind === 'shift' ? 2 ** ws.shift : ws.kind === 'unknown' ? -1 : -2;
}
