/**
 * Streaming: `read -`, `conns -` and `explain -` show each packet as soon as its record has
 * arrived through a pipe, long before the writer is done. The test writes the file header and
 * three records, waits for the first line, and only then sends the rest and closes the pipe.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCaptureSync } from '../src/capture/reader.js';
import { CLI, REPO, runCli } from './support/tshark.js';

const SAMPLE = join(REPO, 'samples/http-get.pcap');
const WAIT_MS = 15_000;

interface Slow { firstLineBeforeEnd: boolean; firstLine: string; stdout: string; stderr: string; code: number | null }

/** Feed `bytes` to the CLI through a pipe: the first `cut` bytes, wait for output, then the rest. */
async function feedSlowly(args: string[], bytes: Buffer, cut: number): Promise<Slow> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, LANG: 'C' } });
  let stdout = '', stderr = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => { stderr += d; });
  const exited = new Promise<number | null>((res) => child.on('close', (c) => res(c)));
  const timer = setTimeout(() => child.kill('SIGKILL'), 4 * WAIT_MS);
  try {
    const firstLine = new Promise<boolean>((res) => {
      const t = setTimeout(() => res(false), WAIT_MS);
      child.stdout.on('data', (d: string) => {
        stdout += d;
        if (stdout.includes('\n')) { clearTimeout(t); res(true); }
      });
    });
    child.stdin.write(bytes.subarray(0, cut));
    const early = await firstLine;
    const line = stdout.split('\n')[0]!;
    child.stdin.end(bytes.subarray(cut));
    const code = await exited;
    return { firstLineBeforeEnd: early, firstLine: line, stdout, stderr, code };
  } finally {
    clearTimeout(timer);
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

const bytes = readFileSync(SAMPLE);
const frames = readCaptureSync(bytes).frames;
// The global header and the first three records; frame 4 starts right after them.
const cut = frames[3]!.fileOffset;

test('the sample has enough packets to cut after the third', () => {
  assert.ok(frames.length >= 8, `${frames.length} frames`);
  assert.ok(cut > 24 && cut < bytes.length);
});

test('read -: the first packet line arrives before the writer is done', async () => {
  const whole = runCli(['read', SAMPLE]);
  const r = await feedSlowly(['read', '-'], bytes, cut);
  assert.ok(r.firstLineBeforeEnd, `no line within ${WAIT_MS} ms of the first three records: ${r.stderr}`);
  assert.equal(r.firstLine, whole.stdout.split('\n')[0]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, whole.stdout, 'streamed output equals the file output');
});

test('conns -: packet lines stream, the table (which needs the whole capture) follows at the end', async () => {
  const table = runCli(['conns', SAMPLE]).stdout;
  const lines = runCli(['read', SAMPLE]).stdout;
  const r = await feedSlowly(['conns', '-'], bytes, cut);
  assert.ok(r.firstLineBeforeEnd, r.stderr);
  assert.equal(r.firstLine, lines.split('\n')[0]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, lines + '\n' + table);
  assert.match(r.stderr, /need the whole capture/);
  // Machine formats stay pure JSON on a pipe.
  const j = runCli(['conns', '-', '--json'], bytes);
  assert.equal(j.status, 0, j.stderr);
  assert.deepEqual(JSON.parse(j.stdout), JSON.parse(runCli(['conns', SAMPLE, '--json']).stdout));
});

test('explain -: packet lines stream before the explanation', async () => {
  const lines = runCli(['read', SAMPLE]).stdout;
  const story = runCli(['explain', SAMPLE]).stdout;
  // From a pipe there is no file to re-read, so explain suggests no `tcpscope follow FILE` step.
  const followStep = story.split('\n').filter((l) => /tcpscope follow /.test(l));
  assert.equal(followStep.length, 1, 'the file\'s story suggests follow once');
  const fromPipe = story.split('\n').filter((l) => !/tcpscope follow /.test(l)).join('\n');
  const r = await feedSlowly(['explain', '-'], bytes, cut);
  assert.ok(r.firstLineBeforeEnd, r.stderr);
  assert.equal(r.firstLine, lines.split('\n')[0]);
  assert.equal(r.stdout, lines + '\n' + fromPipe);
});
