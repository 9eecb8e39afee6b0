/** Messages between the viewer page (web/main.ts) and its analysis worker (web/worker.ts). */
import type { Lang } from '../src/i18n/meanings.js';
import type { ConnSummary, TimelineEntry, ConnTimeline } from '../src/tcp/lifecycle.js';

export type Source = { kind: 'file'; file: Blob; name: string } | { kind: 'url'; url: string; name: string; live?: boolean };

export type ToWorker =
  | { t: 'open'; source: Source }
  | { t: 'rows'; req: number; from: number; to: number }
  | { t: 'filter'; req: number; text: string }
  | { t: 'details'; req: number; frame: number; lang: Lang }
  | { t: 'connRows'; req: number; from: number; to: number; lang: Lang }
  | { t: 'conn'; req: number; stream: number; lang: Lang }
  | { t: 'indexOf'; req: number; frame: number }
  | { t: 'export'; req: number; kind: 'pcapng-selected' | 'pcapng-filtered' | 'csv' | 'json'; frame?: number };

/** One packet-list row: the columns exactly as `tcpscope read` prints them. */
export interface Row {
  /** 0-based index of the frame in the capture (frame number − 1) */
  index: number;
  no: string; time: string; src: string; dst: string; proto: string; len: string; info: string;
  /** the whole `read` line */
  line: string;
  /** colour rule: syn, fin, rst, bad (analysis label), or '' */
  cls: string;
}

/** One node of the details tree, already in the chosen language. */
export interface DNode {
  label: string;
  field?: string;
  meaning?: string;
  /** bytes of the frame this node covers: [start, length] */
  range?: [number, number];
  /** a teaching aid (header diagram, analysis why): shown in a different style */
  aid?: boolean;
  children?: DNode[];
}

export type LadderRow = { entry: TimelineEntry } | { gap: number; client: number; server: number };

export interface FollowPiece { node: 0 | 1; frame: number; text: string; missing?: boolean }

export interface ConnView {
  summary: ConnSummary;
  initial: ConnTimeline['initial'];
  rows: LadderRow[];
  truncated: number;
  explain: string;
  follow: { pieces: FollowPiece[]; bytes: [number, number]; cut: boolean };
}

export interface LoadProblem { message: string; offset: number; frame: number; notCapture: boolean }

export type FromWorker =
  | { t: 'progress'; bytes: number; packets: number; conns: number; live: boolean }
  | { t: 'loaded'; bytes: number; packets: number; conns: number; ms: number; problem?: LoadProblem; error?: string }
  | { t: 'rows'; req: number; rows: Row[]; shown: number }
  | { t: 'filtered'; req: number; shown: number; total: number }
  | { t: 'filterError'; req: number; message: string; column: number; length: number }
  | { t: 'details'; req: number; frame: number; stream: number; tree: DNode[]; bytes: Uint8Array }
  | { t: 'connRows'; req: number; rows: string[][]; streams: number[]; total: number; head: string[] }
  | { t: 'conn'; req: number; view: ConnView | null }
  | { t: 'indexOf'; req: number; index: number }
  | { t: 'file'; req: number; name: string; mime: string; bytes: Uint8Array };
