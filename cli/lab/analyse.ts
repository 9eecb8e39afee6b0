/** Read the lab's capture back with the project's reader and lifecycle stage, and check it against the expectation. */
import { connJson } from '../../src/render/conns.js';
import type { ConnSummary, ConnTimeline } from '../../src/tcp/lifecycle.js';
import { runLifecycle } from '../lifecycle-run.js';
import type { Expectation } from './scenarios.js';
import type { LabResult } from './render.js';

/** The lab's connection in the capture: by the client's port (or the server's, when refused). */
export function pickConnection(conns: Array<{ summary: ConnSummary; timeline: ConnTimeline | undefined }>, port: number, clientPort: number | null) {
  return conns.find((c) => c.summary.server.port === port && (clientPort === null || c.summary.client.port === clientPort))
    ?? conns.find((c) => c.summary.server.port === port);
}

/** HTTP requests the client sent on the connection (from the application stage's lines). */
export function countRequests(tl: ConnTimeline | undefined): number {
  if (!tl) return 0;
  return tl.entries.filter((e) => e.from === 'client' && e.app !== null && /^[A-Z]+ \S+ HTTP\/1\.[01]/.test(e.app)).length;
}

/** What differs between the expectation and the connection's record; empty when all holds. */
export function compare(exp: Expectation, s: ConnSummary, requests: number): string[] {
  const diff: string[] = [];
  if (s.handshake.kind !== exp.handshake) diff.push(`handshake ${s.handshake.kind}, expected ${exp.handshake}`);
  if (exp.teardown !== null && s.teardown.kind !== exp.teardown) diff.push(`teardown ${s.teardown.kind}, expected ${exp.teardown}`);
  if (exp.active_closer !== null && s.teardown.active_closer !== exp.active_closer) {
    diff.push(`active closer ${s.teardown.active_closer ?? 'none'}, expected ${exp.active_closer}`);
  }
  if (exp.requests !== undefined && requests !== exp.requests) diff.push(`${requests} HTTP request(s), expected ${exp.requests}`);
  return diff;
}

/** Read the saved capture back and build the lab's result. */
export async function analyse(base: Omit<LabResult, 'observed' | 'summary' | 'timeline' | 'requests' | 'diff' | 'ok'>, port: number, clientPort: number | null): Promise<LabResult> {
  const run = await runLifecycle(base.capture, { timeline: () => true, live: false });
  const conn = pickConnection(run.conns, port, clientPort);
  const requests = countRequests(conn?.timeline);
  const diff = conn ? compare(base.expected, conn.summary, requests) : [`no connection to port ${port} in the capture`];
  return { ...base, observed: conn ? connJson(conn.summary) : null, summary: conn?.summary, timeline: conn?.timeline, requests, diff, ok: diff.length === 0 };
}

