/** The fuzz targets `npm run fuzz` knows, in the order it runs them (one module each in targets/). */
export const TARGETS = ['pcap', 'pcapng', 'decode', 'dns', 'tls-hello', 'tls-stream', 'http', 'conversations', 'strace', 'golog', 'redact'];

export function targetUrl(name) {
  return new URL(`./targets/${name}.mjs`, import.meta.url).href;
}
