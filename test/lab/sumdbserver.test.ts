import { afterEach, describe, expect, it } from 'vitest';
import { createHash, createPublicKey, verify } from 'node:crypto';
import { request } from 'node:http';
import { randomLoopbackNet } from '../../src/lab/address.js';
import { generateModules } from '../../src/lab/modules.js';
import { leafHash, startSumdbServer, tileIndexPath, treeHash, type SumdbServer } from '../../src/lab/sumdbserver.js';

const sha = (...b: Buffer[]) => createHash('sha256').update(Buffer.concat(b)).digest();
const servers: SumdbServer[] = [];
afterEach(async () => { await Promise.all(servers.splice(0).map((s) => s.close())); });

function get(host: string, port: number, path: string): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('RFC 6962 tree hash', () => {
  const l = [0, 1, 2].map((i) => leafHash(Buffer.from(`r${i}\n`)));
  it('hashes leaves with a 0x00 prefix and nodes with 0x01', () => {
    expect(leafHash(Buffer.from('x'))).toEqual(sha(Buffer.from([0]), Buffer.from('x')));
    expect(treeHash([])).toEqual(sha());
    expect(treeHash([l[0]])).toEqual(l[0]);
    expect(treeHash(l.slice(0, 2))).toEqual(sha(Buffer.from([1]), l[0], l[1]));
    // three leaves: the left subtree is the largest power of two (2), the right the rest.
    expect(treeHash(l)).toEqual(sha(Buffer.from([1]), sha(Buffer.from([1]), l[0], l[1]), l[2]));
  });
});

describe('tile paths', () => {
  it('groups the index in threes with x prefixes', () => {
    expect(tileIndexPath(0)).toBe('000');
    expect(tileIndexPath(7)).toBe('007');
    expect(tileIndexPath(1234)).toBe('x001/234');
    expect(tileIndexPath(1234567)).toBe('x001/x234/567');
  });
});

describe('lab checksum database server', () => {
  it('serves lookups with a signed tree head that verifies with its key', async () => {
    const modules = generateModules();
    const s = await startSumdbServer({ host: `${randomLoopbackNet()}.40`, name: 'sum.lab.example', modules });
    servers.push(s);
    expect(s.gosumdb).toBe(`${s.verifierKey} http://sum.lab.example:${s.port}`);
    const r = await get(s.host, s.port, '/lookup/lab.example/greet@v1.2.0');
    expect(r.status).toBe(200);
    const text = r.body.toString();
    const m = modules.get('lab.example/greet', 'v1.2.0')!;
    const [head, note] = [text.slice(0, text.indexOf('\n\ngo.sum database tree') + 1), text.slice(text.indexOf('go.sum database tree'))];
    expect(head).toBe(`${modules.all().indexOf(m)}\n${m.sumZip}\n${m.sumMod}\n`);
    const [body, sigLine] = note.split('\n\n');
    expect(body).toMatch(new RegExp(`^go\\.sum database tree\\n${modules.all().length}\\n[A-Za-z0-9+/]{43}=$`));
    const sig = /^\u2014 sum\.lab\.example (\S+)\n$/.exec(sigLine)![1];
    const raw = Buffer.from(sig, 'base64');
    const keyBytes = Buffer.from(s.verifierKey.split('+').slice(2).join('+'), 'base64').subarray(1);
    expect(raw.subarray(0, 4).toString('hex')).toBe(s.verifierKey.split('+')[1]);
    const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), keyBytes]);
    const pub = createPublicKey({ key: spki, format: 'der', type: 'spki' });
    expect(verify(null, Buffer.from(body + '\n'), pub, raw.subarray(4))).toBe(true);
    // the root in the note is the tree hash of the leaf tile
    const tile = await get(s.host, s.port, `/tile/8/0/000.p/${modules.all().length}`);
    const leaves = Array.from({ length: tile.body.length / 32 }, (_, i) => tile.body.subarray(i * 32, i * 32 + 32));
    expect(treeHash(leaves).toString('base64')).toBe(body.split('\n')[2]);
  });

  it('404 for unknown modules and tiles beyond the tree; faults per URL', async () => {
    const s = await startSumdbServer({ host: `${randomLoopbackNet()}.40`, name: 'sum.lab.example', modules: generateModules(), faults: [{ kind: 'status', match: '/latest', code: 503 }] });
    servers.push(s);
    expect((await get(s.host, s.port, '/lookup/lab.example/nope@v1.0.0')).status).toBe(404);
    expect((await get(s.host, s.port, '/tile/8/0/000.p/99')).status).toBe(404);
    expect((await get(s.host, s.port, '/tile/8/1/000')).status).toBe(404);
    expect((await get(s.host, s.port, '/latest')).status).toBe(503);
    expect(s.requests.map((q) => q.status)).toEqual([404, 404, 404, 503]);
  });
});
