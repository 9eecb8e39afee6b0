/** Buffered stdout that copes with a closed pipe (`tcpscope read … | head`). */
import { writeSync } from 'node:fs';

const pause = new Int32Array(new SharedArrayBuffer(4));

export class Output {
  private buf: string[] = [];
  private size = 0;
  closed = false;

  constructor(private readonly fd = 1, private readonly limit = 1 << 16) {}

  line(s: string): void {
    if (this.closed) return;
    this.buf.push(s, '\n');
    this.size += s.length + 1;
    if (this.size >= this.limit) this.flush();
  }

  /** Text without a newline. */
  raw(s: string): void {
    if (this.closed) return;
    this.buf.push(s);
    this.size += s.length;
  }

  flush(): void {
    if (!this.buf.length || this.closed) return;
    const data = this.buf.join('');
    this.buf = [];
    this.size = 0;
    let bytes = Buffer.from(data, 'utf8');
    while (bytes.length) {
      try {
        const n = writeSync(this.fd, bytes);
        bytes = bytes.subarray(n);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') { Atomics.wait(pause, 0, 0, 1); continue; } // pipe full: wait 1 ms, try again
        this.closed = true; // EPIPE: the reader went away; stop writing quietly
        return;
      }
    }
  }
}

/** Write to stderr without throwing. */
export function warn(msg: string): void {
  try { writeSync(2, msg.endsWith('\n') ? msg : msg + '\n'); } catch { /* nothing left to tell */ }
}
