/**
 * tcpscope's library entry: browser-safe (no Node imports). Node file/stdin access is in
 * `tcpscope/node` (openCapture).
 */
import type { Frame } from './capture/types.js';
import { CaptureParser, readCaptureBatches } from './capture/reader.js';
import { Dissector } from './dissect.js';
import type { PacketRecord } from './record.js';

export type { Frame, CaptureProblem, CaptureProblemId, CaptureInfo, CaptureFormat } from './capture/types.js';
export { LinkType } from './capture/types.js';
export { CaptureParser, readCapture, readCaptureBatches, readCaptureSync } from './capture/reader.js';
export type { Packet, Layer, TcpLayer, TcpOption, Ipv4Layer, Ipv6Layer, UdpLayer, PacketProblem } from './decode/types.js';
export { TcpFlag } from './decode/types.js';
export { decodePacket, PacketDecoder } from './decode/decode.js';
export { tunnelsOf, type TunnelHop } from './decode/tunnels.js';
export type { TcpInfo } from './tcp/types.js';
export { TcpA } from './tcp/types.js';
export type { TcpConversation, TcpFlow } from './tcp/conversations.js';
export type { PacketRecord } from './record.js';
export { Dissector } from './dissect.js';
export { lookupField, allFields, type FieldDef, type FieldValue, type FieldType } from './fields/index.js';
export { summaryLine, columns, tcpInfo, flagNames } from './render/summary.js';
export { detailsTree, renderTree, hexDump } from './render/details.js';
export { FieldsRenderer, resolveFields, defaultFieldsOptions, type FieldsOptions } from './render/fields.js';
export { packetJson, type PacketJson } from './render/json.js';
export { compileFilter, FilterError, type Filter } from './filter/index.js';
export { SeqUnwrapper, seqAdd, seqDiff, seqOffset, seqLt, seqLe, seqGt, seqGe, seqMax } from './core/seq.js';
export { StreamReassembler, type Chunk, type ReassemblyStats, type ReassemblyOptions } from './tcp/reassembly.js';
export { AppStage, type AppStageOptions } from './app/stage.js';
export type { AppInfo, AppLimit, ColumnOp, HttpMessage, HttpFrameInfo, TlsRecord, TlsHandshake, TlsFrameInfo, ReassembledPdu } from './app/types.js';
export { applyColumnOps } from './app/columns.js';
export { TcpFollower, renderFollow, type FollowMode, type FollowDirection, type FollowResult, type FollowChunk } from './render/follow.js';
export { Completeness, TcpEvent, MAX_UNACKED_SEGMENTS, FinalsCollector, type TcpAnalysisResult, type AnalysisWhy, type TwoPassFinals } from './tcp/analysis.js';
export { analysisFindings, type Finding } from './render/findings.js';
export { tcpExpertItems, analysisPrefix, type ExpertItem, type Severity } from './render/info-labels.js';
export { makeStatistic, ExpertStats, ConvStats, IoStats, StatsError, type Statistic } from './render/stats.js';

/** Where an analysis gets its bytes: a whole capture in memory, or a stream of chunks. */
export type CaptureInput = Uint8Array | AsyncIterable<Uint8Array>;

async function* once(b: Uint8Array): AsyncGenerator<Uint8Array> { yield b; }

/**
 * Read and dissect a capture in one in-order pass: yields a PacketRecord per frame (layers,
 * tcp.stream, relative numbers, …). Problems with the file are in `parser.problems` when you
 * pass your own parser. Frame bytes are views: copy `record.packet.frame.data` to keep it.
 */
export async function* analyze(input: CaptureInput, options: { parser?: CaptureParser; dissector?: Dissector } = {}): AsyncGenerator<PacketRecord> {
  const dissector = options.dissector ?? new Dissector();
  const chunks = input instanceof Uint8Array ? once(input) : input;
  for await (const batch of readCaptureBatches(chunks, { parser: options.parser })) {
    for (const frame of batch as Frame[]) yield dissector.dissect(frame);
  }
}
