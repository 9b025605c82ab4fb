/**
 * Redaction of a credential header folded over several lines (obs-fold: a line starting with a
 * space or a tab goes on with the header before it). The folded lines are the header's value as
 * much as its first line: the secret must be gone from the file — as text, as the base64 it
 * travels in, and as any 4-byte piece of either — and the redacted capture must give the diagnosis
 * the original gives.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redactCapture } from '../../src/share/index.js';
import { readCaptureBytes } from '../../src/capture/reader.js';
import { decodePacket } from '../../src/decode/packet.js';
import { analyze } from '../../src/timeline/analyze.js';
import { CaptureBuilder } from './build.js';
import { differences, containsBytes } from './compare.js';
import { text } from '../protocols/helpers.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gomod-trace-fold-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Letters and digits in no word, no `*`. */
const S = 'ZqVxWkJmQrLpTnHs7YbCgDfE';
const B64 = Buffer.from(`u:${S}`, 'latin1').toString('base64').replace(/=+$/, '');

/** The file's bytes and, after them, its TCP payloads one after the other (a secret cut into segments is whole there). */
async function searchable(file: Uint8Array): Promise<Uint8Array> {
  const payloads: Uint8Array[] = [file];
  await readCaptureBytes(file, 'capture', (p) => {
    const tcp = decodePacket(p).tcp;
    if (tcp) payloads.push(tcp.payload);
  });
  return Buffer.concat(payloads);
}

const get = (lines: string): string => `GET /lab.example/m/@v/list HTTP/1.1\r\nHost: 10.9.9.8\r\n${lines}Accept: */*\r\n\r\n`;

const CASES: Array<[string, string, number?]> = [
  ['Authorization, the bearer value on a folded line', get(`Authorization: Bearer\r\n ${S}\r\n`)],
  ['Authorization, basic, the base64 folded with a tab', get(`Authorization: Basic\r\n\t${B64}\r\n`)],
  ['Authorization, folded twice', get(`Authorization:\r\n Bearer\r\n  ${S}\r\n`)],
  ['Cookie, a second cookie folded', get(`Cookie: a=1;\r\n sid=${S}\r\n`)],
  ['X-Api-Key folded', get(`X-Api-Key:\r\n ${S}\r\n`)],
  ['Private-Token folded', get(`Private-Token: \r\n\t ${S}\r\n`)],
  ['CONNECT, Proxy-Authorization folded', `CONNECT proxy.golang.org:443 HTTP/1.1\r\nHost: proxy.golang.org:443\r\nProxy-Authorization: Basic\r\n ${B64}\r\n\r\n`, 3128],
];

describe('redaction of a folded credential header', () => {
  it.each(CASES)('%s', async (name, head, port) => {
    for (const sizes of [[100_000], [7, 333]]) {
      const b = new CaptureBuilder();
      b.tcp('10.0.0.2', 50001, '10.9.9.8', port ?? 80).open().send(true, text(head), sizes);
      b.idle(20);
      b.udp('10.0.0.2', 40001, '10.0.0.7', 9999, text('later'));
      const input = join(dir, `${name.replace(/\W+/g, '_')}-${sizes.length}.pcap`);
      const output = input.replace(/\.pcap$/, '.redacted.pcap');
      writeFileSync(input, b.pcap());
      await redactCapture(input, output);
      const bytes = readFileSync(output);
      const hay = await searchable(bytes);
      for (const secret of [S, B64]) {
        for (let n = 0; n + 4 <= secret.length; n++) {
          const piece = secret.slice(n, n + 4);
          expect(containsBytes(hay, piece), `${sizes}: ${piece} is gone`).toBe(false);
        }
      }
      // The folded line keeps its blanks, starred past them.
      expect(Buffer.from(hay).toString('latin1'), sizes.join()).toMatch(/\r\n[ \t]+\*{16,}\r\n/);
      const [before, after] = await Promise.all([analyze({ capture: input }), analyze({ capture: output })]);
      expect(differences(before, after), String(sizes)).toEqual([]);
    }
  });

  it('a folded line after an ordinary header is kept', async () => {
    const head = get(`X-Note: first\r\n second part\r\nAuthorization: Bearer ${S}\r\n`);
    const b = new CaptureBuilder();
    b.tcp('10.0.0.2', 50001, '10.9.9.8', 80).open().send(true, text(head));
    b.idle(20);
    const input = join(dir, 'plain-fold.pcap');
    const output = join(dir, 'plain-fold.redacted.pcap');
    writeFileSync(input, b.pcap());
    await redactCapture(input, output);
    const hay = await searchable(readFileSync(output));
    expect(containsBytes(hay, `X-Note: first\r\n second part\r\nAuthorization: ${'*'.repeat(S.length + 7)}\r\nAccept: */*\r\n`)).toBe(true);
  });
});
