// Builds the static web viewer into dist/web: the page (main.js), its analysis worker
// (worker.js), index.html and style.css. esbuild bundles web/*.ts with the core library from
// src/; nothing is loaded from elsewhere at run time. Run by `npm run build` and `prepare`.
import { build } from 'esbuild';
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', 'dist', 'web');
await mkdir(out, { recursive: true });
const common = { bundle: true, format: 'iife', target: 'es2022', minify: true, sourcemap: 'linked', legalComments: 'none', logLevel: 'warning' };
await build({ ...common, entryPoints: [join(here, 'worker.ts')], outfile: join(out, 'worker.js') });
// Opened from disk (file://), a page may not start a worker from a file: main.js carries the worker's code too.
const workerSource = (await readFile(join(out, 'worker.js'), 'utf8')).replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n');
await build({ ...common, entryPoints: [join(here, 'main.ts')], outfile: join(out, 'main.js'), define: { WORKER_SOURCE: JSON.stringify(workerSource) } });
for (const f of ['index.html', 'style.css']) await copyFile(join(here, f), join(out, f));
