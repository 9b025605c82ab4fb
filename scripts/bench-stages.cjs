/**
 * The stages `npm run bench` measures (scripts/bench.mjs), each run in a fresh process by
 * scripts/bench-child.cjs. Kept apart from the parent so that a measured process loads nothing but
 * the stage: no child_process, no generator. CommonJS, as the CLI's entry for `analyze` is.
 */
'use strict';
const { join } = require('node:path');

/**
 * The library as the CLI loads its code for `analyze` (bin/gomod-trace-batch.cjs): the CommonJS
 * bundle index.cjs with V8's code cache (bin/code-cache.cjs, the user's cache directory;
 * GOMOD_TRACE_CODE_CACHE=0 turns it off). V8's interrupt budget comes on node's command line, as
 * bin/gomod-trace gives it (scripts/bench.mjs reads its flags from there). Returns the API and
 * `save()`, which writes the cache after a run that had none.
 */
function loadLibrary() {
  const { loadCommonJs } = require('../bin/code-cache.cjs');
  const lib = loadCommonJs(join(__dirname, '..', 'dist', 'bundle', 'index.cjs'));
  return { api: lib.exports, save: lib.save };
}

/** A stage reads the file and does its work on every packet; returns a packet count. `lib` is the API. */
const STAGES = {
  read: {
    what: 'read every packet (pcap/pcapng reader)',
    async run(file, lib) {
      const { readCapture } = lib;
      let n = 0;
      let bytes = 0;
      await readCapture(file, (p) => { n++; bytes += p.data.length; });
      return n;
    },
  },
  decode: {
    what: 'read + decode every packet (link, IP, TCP/UDP)',
    async run(file, lib) {
      const { readCapture, decodePacket } = lib;
      let n = 0;
      let tcp = 0;
      await readCapture(file, (raw) => {
        const p = decodePacket(raw);
        n++;
        if (p.tcp) tcp += p.tcp.payload.length;
      });
      return n;
    },
  },
  conversations: {
    what: 'read + decode + DNS/TCP/TLS/HTTP reconstruction',
    requires: 'bundle/index.cjs',
    async run(file, lib) {
      const { readCapture, ConversationBuilder } = lib;
      // As the analysis does it (timeline/analyze.ts): the builder's addRaw is the reader's callback
      // itself (no closure around it, which V8 would compile as one more hot function); it decodes
      // (the fast lane for common TCP segments, the full decoder and IP reassembly for the rest) and
      // adds. The packet count is the reader's.
      const b = new ConversationBuilder();
      const summary = await readCapture(file, b.addRaw);
      b.finish();
      return summary.packets;
    },
  },
  'pcap-parser': {
    what: 'pcap-parser npm package, counting packets',
    async run(file, lib) {
      const pcapp = require('pcap-parser');
      return await new Promise((res, rej) => {
        let n = 0;
        const parser = pcapp.parse(file);
        parser.on('packet', () => { n++; });
        parser.on('end', () => res(n));
        parser.on('error', rej);
      });
    },
  },
  'cap-decoders': {
    what: "our reader + cap's JS decoders (Ethernet, IPv4, TCP/UDP)",
    async run(file, lib) {
      const { decoders } = require(process.env.CAP_MODULE);
      const P = decoders.PROTOCOL;
      const { readCapture } = lib;
      let n = 0;
      await readCapture(file, (raw) => {
        n++;
        const b = Buffer.from(raw.data.buffer, raw.data.byteOffset, raw.data.length);
        const e = decoders.Ethernet(b);
        if (e.info.type !== P.ETHERNET.IPV4) return;
        const ip = decoders.IPV4(b, e.offset);
        if (ip.info.protocol === P.IP.TCP) decoders.TCP(b, ip.offset);
        else if (ip.info.protocol === P.IP.UDP) decoders.UDP(b, ip.offset);
      });
      return n;
    },
  },
};

module.exports = { loadLibrary, STAGES };
