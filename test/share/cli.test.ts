/**
 * `gomod-trace redact` through the real CLI entry point (bin/gomod-trace, built into dist/ first):
 * a capture, a bundle folder, bad input as a one-line error with exit 2, a truncated capture as a
 * partial result plus a warning; where the copy goes when the output is a link, a FIFO, a device
 * or standard output (-o -).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
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

  describe('the output', () => {
    let dir: string;
    let expected: Buffer;
    beforeAll(() => {
      dir = join(work, 'outputs');
      mkdirSync(dir);
      writeFileSync(join(dir, 'in.pcap'), capture);
      expect(cli(['redact', join(dir, 'in.pcap'), '-o', join(work, 'expected.pcap')]).status).toBe(0);
      expected = readFileSync(join(work, 'expected.pcap'));
    });
    const refused = (out: string, re: RegExp) => {
      const before = readdirSync(dir).sort();
      const r = cli(['redact', join(dir, 'in.pcap'), '-o', out]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(re);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(readdirSync(dir).sort()).toEqual(before);
      expect(readFileSync(join(dir, 'in.pcap'))).toEqual(Buffer.from(capture));
    };

    it('the input by another name (a symbolic link either way, a hard link) is refused: the raw capture stays', () => {
      symlinkSync('in.pcap', join(dir, 'sym-in.pcap'));
      linkSync(join(dir, 'in.pcap'), join(dir, 'hard-in.pcap'));
      refused(join(dir, 'sym-in.pcap'), /sym-in\.pcap: the output would overwrite the input/);
      refused(join(dir, 'hard-in.pcap'), /hard-in\.pcap: the output would overwrite the input/);
      const r = cli(['redact', join(dir, 'sym-in.pcap'), '-o', join(dir, 'in.pcap')]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/in\.pcap: the output would overwrite the input/);
      expect(readFileSync(join(dir, 'in.pcap'))).toEqual(Buffer.from(capture));
    });

    it('a symbolic link: the file it points to gets the copy, and the link stays', () => {
      writeFileSync(join(dir, 'target.pcap'), 'old');
      symlinkSync('target.pcap', join(dir, 'link.pcap'));
      const r = cli(['redact', join(dir, 'in.pcap'), '-o', join(dir, 'link.pcap')]);
      expect(r.status, r.stderr).toBe(0);
      expect(lstatSync(join(dir, 'link.pcap')).isSymbolicLink()).toBe(true);
      expect(readFileSync(join(dir, 'target.pcap'))).toEqual(expected);
    });

    it('a FIFO is written to, not replaced', async () => {
      const fifo = join(dir, 'fifo');
      expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
      const reader = spawn('sh', ['-c', 'cat "$0" > "$1"', fifo, join(work, 'from-fifo.pcap')], { timeout: 20_000 });
      const r = cli(['redact', join(dir, 'in.pcap'), '-o', fifo]);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^wrote .*fifo \(pcap\): 10 packets/);
      const [code] = await once(reader, 'exit');
      expect(code).toBe(0);
      expect(lstatSync(fifo).isFIFO()).toBe(true);
      expect(readFileSync(join(work, 'from-fifo.pcap'))).toEqual(expected);
    }, 30_000);

    it.skipIf(process.getuid?.() !== 0)('a character device is written to, not replaced', () => {
      // 1,3 is the null device: what is written goes nowhere.
      const dev = join(dir, 'null');
      expect(spawnSync('mknod', [dev, 'c', '1', '3']).status).toBe(0);
      try {
        const r = cli(['redact', join(dir, 'in.pcap'), '-o', dev]);
        expect(r.status, r.stderr).toBe(0);
        expect(lstatSync(dev).isCharacterDevice()).toBe(true);
      } finally {
        rmSync(dev);
      }
    });

    it('-o - writes the copy to stdout and the summary line to stderr; ./- is a file named "-"', () => {
      const r = spawnSync(BIN, ['redact', join(dir, 'in.pcap'), '-o', '-'], { cwd: dir, timeout: 30_000 });
      expect(r.status, r.stderr.toString()).toBe(0);
      expect(r.stdout).toEqual(expected);
      expect(r.stderr.toString()).toMatch(/^wrote standard output \(pcap\): 10 packets, \d+ of \d+ captured bytes kept/);
      expect(existsSync(join(dir, '-'))).toBe(false);
      // A file: appended to as the shell opened it, not replaced.
      writeFileSync(join(work, 'appended'), 'head');
      expect(spawnSync('sh', ['-c', '"$0" redact "$1" -o - -q >> "$2"', BIN, join(dir, 'in.pcap'), join(work, 'appended')], { cwd: dir }).status).toBe(0);
      expect(readFileSync(join(work, 'appended'))).toEqual(Buffer.concat([Buffer.from('head'), expected]));
      const q = spawnSync(BIN, ['redact', join(dir, 'in.pcap'), '-o', '-', '-q'], { cwd: dir, timeout: 30_000 });
      expect(q.stdout).toEqual(expected);
      expect(q.stderr.toString()).toBe('');
      const named = spawnSync(BIN, ['redact', join(dir, 'in.pcap'), '-o', './-'], { cwd: work, encoding: 'utf8', timeout: 30_000 });
      expect(named.status, named.stderr).toBe(0);
      expect(named.stdout).toMatch(/^wrote \.\/- \(pcap\)/);
      expect(readFileSync(join(work, '-'))).toEqual(expected);
    });

    it('-o - to a slow reader: the whole copy goes through the pipe', () => {
      // DNS is kept whole: about 600 kB of copy, many times what the pipe holds.
      const b = new CaptureBuilder();
      for (let i = 0; i < 1000; i++) b.udp('10.0.0.2', 40000 + (i % 1000), '10.0.0.1', 53, new Uint8Array(560).fill(i & 0xff));
      writeFileSync(join(work, 'dns.pcap'), b.pcap());
      expect(cli(['redact', join(work, 'dns.pcap'), '-o', join(work, 'dns.expected.pcap')]).status).toBe(0);
      const r = spawnSync('sh', ['-c', '"$0" redact "$1" -o - | { sleep 1; cat > "$2"; }', BIN, join(work, 'dns.pcap'), join(work, 'dns.piped.pcap')], { cwd: work, encoding: 'utf8', timeout: 30_000 });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/^wrote standard output \(pcap\): 1000 packets/);
      expect(readFileSync(join(work, 'dns.piped.pcap'))).toEqual(readFileSync(join(work, 'dns.expected.pcap')));
    });

    it('-o - is refused on a terminal, and when stdout is the input', () => {
      const before = readdirSync(dir).sort();
      const q = (s: string): string => `'${s.replaceAll("'", "'\\''")}'`;
      if (spawnSync('sh', ['-c', 'command -v script']).status === 0) {
        const r = spawnSync('script', ['-qec', [BIN, 'redact', join(dir, 'in.pcap'), '-o', '-'].map(q).join(' '), '/dev/null'], { cwd: dir, encoding: 'utf8', timeout: 30_000 });
        expect(r.status).toBe(2);
        expect(r.stdout.trim()).toBe('gomod-trace: -o -: standard output is a terminal; redirect it to a file or a pipe (a file named "-" is -o ./-)');
      }
      const r = spawnSync('sh', ['-c', '"$0" redact "$1" -o - >> "$1"', BIN, join(dir, 'in.pcap')], { cwd: dir, encoding: 'utf8', timeout: 30_000 });
      expect(r.status).toBe(2);
      expect(r.stderr).toBe('gomod-trace: standard output is the input file; name another output\n');
      expect(readFileSync(join(dir, 'in.pcap'))).toEqual(Buffer.from(capture));
      expect(readdirSync(dir).sort()).toEqual(before);
    });

    it('a directory and a link to nothing are refused, and nothing is left behind', () => {
      mkdirSync(join(dir, 'sub'));
      symlinkSync('nowhere.pcap', join(dir, 'dangling.pcap'));
      refused(join(dir, 'sub'), /sub: is a directory/);
      refused(join(dir, 'dangling.pcap'), /dangling\.pcap: a symbolic link to a file that does not exist/);
    });
  });
});
