/**
 * The library API: the pipeline's stages for programs that want the records rather than the CLI's
 * output (and for `npm run bench`, which measures them as bundled in dist/bundle/index.js).
 * capture/ reads pcap and pcapng, decode/ turns bytes into headers, protocols/ rebuilds DNS, TCP,
 * TLS and HTTP conversations, timeline/ joins everything and names the stall.
 */
export { readCapture, readCaptureBytes, type ReadCaptureOptions } from './capture/reader.js';
export type { CaptureSummary, RawPacket } from './capture/types.js';
export { decodePacket, PacketDecoder } from './decode/packet.js';
export { ConversationBuilder, type Conversations } from './protocols/conversations.js';
export { analyze } from './timeline/analyze.js';
export type { Report } from './report/schema.js';
export { tuneV8ForBatch } from './cli/v8-tuning.js';
