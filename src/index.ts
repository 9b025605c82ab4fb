/**
 * The reconstruction as a library: the pipeline's first stages for programs that want the records
 * rather than the CLI's output, and what `npm run bench` measures (as bundled in
 * dist/bundle/index.js). capture/ reads pcap and pcapng, decode/ turns bytes into headers,
 * protocols/ rebuilds DNS, TCP, TLS and HTTP conversations. The verdict (timeline/analyze.ts) and
 * the renderers (report/) are the CLI's: they are not loaded here.
 */
export { readCapture, readCaptureBytes, type ReadCaptureOptions } from './capture/reader.js';
export type { CaptureSummary, RawPacket } from './capture/types.js';
export { decodePacket, PacketDecoder } from './decode/packet.js';
export { ConversationBuilder, type Conversations } from './protocols/conversations.js';
export type { ConnectionRecord, DnsTransactionRecord } from './report/schema.js';
export { tuneV8ForBatch } from './cli/v8-tuning.js';
