/** Buffered stdout that copes with a closed pipe (`tcpscope read … | head`). */
import { writeSync } from 'node:fs';

const pause = new Int32Array(new SharedArrayBuffer(4));
/** Characters of lines collected before they are encoded into the buffer. */
const PENDING_CHARS = 1 << 14;

export class Output {
  private readonly buf: Buffer;
  private pos = 0;
  /** lines not yet encoded: joined and encoded a few kilobytes at a time (one encoding call per many lines) */
  private pending = '';
  closed = false;

  /** Lines are encoded into one reusable buffer, a few kilobytes of them per encoding call. */
  constructor(private readonly fd = 1, size = 1 << 20) {
    this.buf = Buffer.allocUnsafe(size);
  }

  line(s: string): void {
    if (this.closed) return;
    this.pending += s;
    this.pending += '\n';
    if (this.pending.length >= PENDING_CHARS) this.encodePending();
  }

  /** A line already encoded as UTF-8 (copied at once: the caller may reuse `b`). */
  bytesLine(b: Uint8Array): void {
    if (this.closed) return;
    if (this.pending) this.encodePending();
    if (this.pos + b.length + 1 > this.buf.length) {
      this.flush();
      if (b.length + 1 > this.buf.length) { this.write(Buffer.from(b)); this.line(''); return; }
    }
    this.buf.set(b, this.pos);
    this.pos += b.length;
    this.buf[this.pos++] = 10;
  }

  private encodePending(): void {
    const s = this.pending;
    this.pending = '';
    this.encode(s);
  }

  /** Text without a newline. */
  raw(s: string): void {
    if (this.closed) return;
    if (this.pending) this.encodePending();
    this.encode(s);
  }

  private encode(s: string): void {
    // A UTF-16 code unit takes at most 3 bytes in UTF-8.
    if (this.pos + s.length * 3 >= this.buf.length) {
      this.flush();
      if (s.length * 3 >= this.buf.length) { this.write(Buffer.from(s, 'utf8')); return; }
    }
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  flush(): void {
    if (this.pending && !this.closed) this.encodePending();
    if (this.pos === 0 || this.closed) return;
    const n = this.pos;
    this.pos = 0;
    this.write(this.buf.subarray(0, n));
  }

  private write(bytes: Buffer): void {
    while (bytes.length && !this.closed) {
      try {
        const n = writeSync(this.fd, bytes);
        bytes = bytes.subarray(n);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') { Atomics.wait(pause, 0, 0, 1); continue; } // pipe full: wait 1 ms, try again
        this.closed = true; // EPIPE: the reader went away; stop writing quietly
      }
    }
  }
}

/** Write to stderr without throwing. */
export function warn(msg: string): void {
  try { writeSync(2, msg.endsWith('\n') ? msg : msg + '\n'); } catch { /* nothing left to tell */ }
}
