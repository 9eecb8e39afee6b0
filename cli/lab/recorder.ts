/** The lab's capture: the engine on one interface, its bytes saved to a file as they come. */
import { closeSync, openSync, writeSync } from 'node:fs';
import { LiveCapture, type DropCounts, type EngineName } from '../capture/engine.js';

export interface Recorded { engine: EngineName; drops: DropCounts; bytes: number }

export class Recorder {
  private constructor(private readonly cap: LiveCapture, private readonly pump: Promise<number>) {}

  /** Start capturing `filter` on `iface` into `file`; resolves once the engine is capturing. */
  static async start(iface: string, filter: string, file: string): Promise<Recorder> {
    const fd = openSync(file, 'w');
    let cap: LiveCapture;
    try {
      // The engine stops by itself after a while even if this process is killed.
      cap = await LiveCapture.start({ iface, filter, maxSeconds: 120 });
    } catch (e) {
      closeSync(fd);
      throw e;
    }
    const pump = (async () => {
      let n = 0;
      try {
        for await (const chunk of cap.bytes) {
          let off = 0;
          while (off < chunk.length) off += writeSync(fd, chunk, off);
          n += chunk.length;
        }
      } finally { closeSync(fd); }
      return n;
    })();
    return new Recorder(cap, pump);
  }

  get engine(): EngineName { return this.cap.engine.name; }

  /** Stop the engine (it writes what it holds and its statistics) and close the file. */
  async stop(): Promise<Recorded> {
    const drops = await this.cap.finish();
    const bytes = await this.pump;
    return { engine: this.cap.engine.name, drops, bytes };
  }
}
