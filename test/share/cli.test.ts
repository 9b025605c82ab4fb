/**
 * `gomod-trace redact` through the real CLI entry point (bin/gomod-trace, built into dist/ first):
 * a capture, a bundle folder, bad input as a one-line error with exit 2, a truncated capture as a
 * partial result plus a warning.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CaptureBuilder } from './build.js';
import { text } from '../protocols/helpers.js';
import { containsBytes } from './compare.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin', 'gomod-trace');
let work: string;
const capture = (() => {
  const b = new CaptureBuilder();
  const s = b.tcp('10.0.0.2', 50001, '10.9.9.8', 80).open();
  s.send(true, text('GET /x HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer SECRET-abcdefgh1234\r\n\r\n'));
  s.send(false, text('HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nBODY-SECRET'));
  s.close();
  return b.pcap();
})();

beforeAll(() => {
  spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.build.json')], { stdio: 'ignore', timeout: 110_000 });
  work = mkdtempSync(join(tmpdir(), 'gomod-trace-redact-cli-'));
}, 120_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

const cli = (args: string[]) => spawnSync(BIN, args, { encoding: 'utf8', timeout: 30_000 });

describe('gomod-trace redact (CLI)', () => {
  it('writes IN.redacted.pcap next to the input and says what it kept', () => {
    const f = join(work, 'a.pcap');
    writeFileSync(f, capture);
    const r = cli(['redact', f]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^wrote .*a\.redacted\.pcap \(pcap\): 10 packets, \d+ of \d+ captured bytes kept/);
    const out = readFileSync(join(work, 'a.redacted.pcap'));
    expect(containsBytes(out, 'SECRET-abcdefgh1234')).toBe(false);
    expect(containsBytes(out, 'BODY-SECRET')).toBe(false);
    expect(containsBytes(out, 'GET /x HTTP/1.1')).toBe(true);
  });

  it('a bundle folder: writes capture.redacted.pcap inside it', () => {
    const dir = join(work, 'bundle');
    mkdirSync(dir);
    writeFileSync(join(dir, 'capture.pcap'), capture);
    const r = cli(['redact', dir, '-q']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(existsSync(join(dir, 'capture.redacted.pcap'))).toBe(true);
  });

  it('-o x.pcapng writes pcapng', () => {
    const f = join(work, 'b.pcap');
    writeFileSync(f, capture);
    const r = cli(['redact', f, '-o', join(work, 'b.out.pcapng')]);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(work, 'b.out.pcapng')).readUInt32LE(0)).toBe(0x0a0d0d0a);
  });

  it.each([
    ['garbage', Buffer.from('not a capture, just some text\n'), /garbage\.pcap: at byte 0: not a pcap or pcapng capture/],
    ['badblock', Buffer.concat([Buffer.from(capture.subarray(0, 24)), Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff, 0x7f])]), /badblock\.pcap: at byte 24: /],
  ])('bad input (%s): one line naming the file and the offset, exit 2, nothing written', (name, bytes, re) => {
    const f = join(work, `${name}.pcap`);
    writeFileSync(f, bytes);
    const r = cli(['redact', f]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(re);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(work, `${name}.redacted.pcap`))).toBe(false);
  });

  it('a truncated capture: the packets before the cut, and a warning', () => {
    const f = join(work, 'cut.pcap');
    writeFileSync(f, capture.subarray(0, capture.length - 30));
    const r = cli(['redact', f]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/: 9 packets/);
    expect(r.stderr).toMatch(/warning: truncated last packet at byte \d+/);
  });

  it('a missing file, a bad --format, and the input as output: exit 2, one line', () => {
    const f = join(work, 'a.pcap');
    for (const [args, re] of [
      [['redact', join(work, 'nope.pcap')], /nope\.pcap: no such file or directory/],
      [['redact', f, '--format', 'json'], /--format must be pcap or pcapng/],
      [['redact', f, '-o', f], /would overwrite the input/],
      [['redact', f, '-o', join(work, 'no', 'dir', 'x.pcap')], /x\.pcap: no such file or directory/],
    ] as Array<[string[], RegExp]>) {
      const r = cli(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(re);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
