import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { crc32, writeZip } from '../../src/lab/zip.js';

/** Read a zip back through its central directory, independently of the writer. */
function readZip(buf: Buffer): { name: string; data: Buffer }[] {
  const eocd = buf.length - 22;
  expect(buf.readUInt32LE(eocd)).toBe(0x06054b50);
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const out: { name: string; data: Buffer }[] = [];
  for (let i = 0; i < count; i++) {
    expect(buf.readUInt32LE(p)).toBe(0x02014b50);
    const method = buf.readUInt16LE(p + 10);
    const crc = buf.readUInt32LE(p + 16);
    const csize = buf.readUInt32LE(p + 20);
    const usize = buf.readUInt32LE(p + 24);
    const nlen = buf.readUInt16LE(p + 28);
    const elen = buf.readUInt16LE(p + 30);
    const clen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.subarray(p + 46, p + 46 + nlen).toString('utf8');
    expect(buf.readUInt32LE(local)).toBe(0x04034b50);
    const lnlen = buf.readUInt16LE(local + 26);
    const lelen = buf.readUInt16LE(local + 28);
    const body = buf.subarray(local + 30 + lnlen + lelen, local + 30 + lnlen + lelen + csize);
    const data = method === 8 ? inflateRawSync(body) : Buffer.from(body);
    expect(data.length).toBe(usize);
    expect(crc32(data)).toBe(crc);
    out.push({ name, data });
    p += 46 + nlen + elen + clen;
  }
  return out;
}

describe('crc32', () => {
  it('matches the standard check value', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });
});

describe('writeZip', () => {
  const entries = [
    { name: 'm@v1.0.0/go.mod', data: Buffer.from('module m\n') },
    { name: 'm@v1.0.0/sub/a.go', data: Buffer.from('package sub\n'.repeat(100)) },
    { name: 'm@v1.0.0/empty.txt', data: Buffer.alloc(0) },
  ];

  for (const method of ['store', 'deflate'] as const) {
    it(`round-trips every entry (${method})`, () => {
      const back = readZip(writeZip(entries, { method }));
      expect(back.map((e) => e.name)).toEqual(entries.map((e) => e.name));
      back.forEach((e, i) => expect(e.data.equals(entries[i].data)).toBe(true));
    });
  }

  it('deflate makes repetitive content smaller than store', () => {
    expect(writeZip(entries).length).toBeLessThan(writeZip(entries, { method: 'store' }).length);
  });

  it('is accepted by unzip -t', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-zip-'));
    try {
      const file = join(dir, 'x.zip');
      writeFileSync(file, writeZip(entries));
      const out = execFileSync('unzip', ['-t', file], { encoding: 'utf8' });
      expect(out).toMatch(/No errors detected/);
      expect(out).toContain('m@v1.0.0/sub/a.go');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is deterministic (fixed timestamps)', () => {
    expect(writeZip(entries).equals(writeZip(entries))).toBe(true);
  });
});
