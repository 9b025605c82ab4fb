/**
 * A working lab checksum database: the lab modules' go.sum lines as a transparency log that go's
 * sumdb client accepts. Records are numbered in module order; the tree is RFC 6962 (leaf
 * SHA-256(0x00‖record), node SHA-256(0x01‖left‖right)); tiles have height 8 and the lab serves
 * level 0 only, so up to 256 records; the tree head is a signed note
 * ("go.sum database tree\nN\n<root>\n", Ed25519). Endpoints: /lookup/M@V, /latest,
 * /tile/8/0/…, /tile/8/data/…. Faults as in the GOPROXY (silent, delay, status) apply per URL.
 */
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { assertLoopback, hostPort } from './address.js';
import { matches, type ProxyFault } from './goproxy.js';
import { unescapeModulePath, type ModuleSet } from './modules.js';
import { sumdbVerifierKey } from './sumdb.js';
import { closeServer, listenOn, tracker } from './listen.js';

const TILE_HEIGHT = 8;
const TILE_WIDTH = 1 << TILE_HEIGHT;

export interface SumdbServerLog {
  t: number;
  path: string;
  status: number | null;
}

export interface SumdbServer {
  url: string;
  host: string;
  port: number;
  name: string;
  verifierKey: string;
  /** `GOSUMDB` value: `<verifierKey> <url>`. */
  gosumdb: string;
  requests: SumdbServerLog[];
  close(): Promise<void>;
}

const sha256 = (...parts: Uint8Array[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};

export function leafHash(record: Uint8Array): Buffer {
  return sha256(Buffer.from([0]), record);
}

function nodeHash(l: Buffer, r: Buffer): Buffer {
  return sha256(Buffer.from([1]), l, r);
}

/** RFC 6962 Merkle tree hash of leaves[lo, hi). */
export function treeHash(leaves: Buffer[], lo = 0, hi = leaves.length): Buffer {
  const n = hi - lo;
  if (n === 0) return sha256();
  if (n === 1) return leaves[lo];
  let k = 1;
  while (k * 2 < n) k *= 2; // largest power of two smaller than n
  return nodeHash(treeHash(leaves, lo, lo + k), treeHash(leaves, lo + k, hi));
}

/** Tile path element for index n: groups of three digits, all but the last prefixed with 'x'. */
export function tileIndexPath(n: number): string {
  let s = String(n % 1000).padStart(3, '0');
  n = Math.floor(n / 1000);
  while (n > 0) {
    s = `x${String(n % 1000).padStart(3, '0')}/${s}`;
    n = Math.floor(n / 1000);
  }
  return s;
}

function signNote(text: string, name: string, keyHash: Buffer, privateKey: KeyObject): string {
  const sig = sign(null, Buffer.from(text), privateKey);
  return `${text}\n\u2014 ${name} ${Buffer.concat([keyHash, sig]).toString('base64')}\n`;
}

export async function startSumdbServer(opts: {
  host: string;
  port?: number;
  /** Host name for the URL (resolved by the lab DNS) and the database name. */
  name: string;
  modules: ModuleSet;
  faults?: ProxyFault[];
}): Promise<SumdbServer> {
  assertLoopback(opts.host);
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const der = publicKey.export({ type: 'spki', format: 'der' });
  const verifierKey = sumdbVerifierKey(opts.name, der.subarray(der.length - 32));
  const keyHash = Buffer.from(verifierKey.split('+')[1], 'hex');

  const versions = opts.modules.all();
  if (versions.length > TILE_WIDTH) throw new Error(`the lab checksum database holds at most ${TILE_WIDTH} records, not ${versions.length}`);
  const records = versions.map((m) => Buffer.from(`${m.sumZip}\n${m.sumMod}\n`));
  const ids = new Map(versions.map((m, i) => [`${m.path}@${m.version}`, i]));
  const leaves = records.map(leafHash);
  const n = records.length;
  const treeNote = signNote(`go.sum database tree\n${n}\n${treeHash(leaves).toString('base64')}\n`, opts.name, keyHash, privateKey);

  const started = Date.now();
  const requests: SumdbServerLog[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const answer = (path: string): { status: number; body: Buffer } => {
    const notFound = { status: 404, body: Buffer.from('not found\n') };
    if (path === '/latest') return { status: 200, body: Buffer.from(treeNote) };
    let m = /^\/lookup\/(.+)@([^@/]+)$/.exec(path);
    if (m) {
      const mod = unescapeModulePath(decodeURIComponent(m[1]));
      const ver = unescapeModulePath(decodeURIComponent(m[2]));
      const id = mod && ver ? ids.get(`${mod}@${ver}`) : undefined;
      if (id === undefined) return { status: 404, body: Buffer.from(`not found: ${mod}@${ver}\n`) };
      return { status: 200, body: Buffer.concat([Buffer.from(`${id}\n`), records[id], Buffer.from('\n'), Buffer.from(treeNote)]) };
    }
    m = /^\/tile\/8\/(0|data)\/000(?:\.p\/(\d+))?$/.exec(path);
    if (m) {
      const width = m[2] === undefined ? TILE_WIDTH : Number(m[2]);
      if (width < 1 || width > n) return notFound;
      const body = m[1] === '0' ? Buffer.concat(leaves.slice(0, width)) : Buffer.concat(records.slice(0, width).map((r) => r));
      return { status: 200, body };
    }
    return notFound;
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    const entry: SumdbServerLog = { t: Date.now() - started, path, status: null };
    requests.push(entry);
    const fault = (opts.faults ?? []).find((f) => matches(f.match, path));
    if (fault?.kind === 'silent') return;
    const send = () => {
      const a = fault?.kind === 'status' ? { status: fault.code, body: Buffer.from('unavailable\n') } : answer(path);
      entry.status = a.status;
      res.writeHead(a.status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': String(a.body.length) });
      res.end(a.body);
    };
    if (fault?.kind === 'delay') {
      const t = setTimeout(() => { timers.delete(t); send(); }, fault.ms);
      timers.add(t);
    } else send();
  });
  server.on('connection', tracker(sockets));
  server.on('clientError', (_e: unknown, s: Socket) => s.destroy());
  const port = await listenOn(server, opts.host, opts.port ?? 0);
  const url = `http://${hostPort(opts.name, port)}`;
  return {
    url, host: opts.host, port, name: opts.name, verifierKey, gosumdb: `${verifierKey} ${url}`, requests,
    async close() {
      for (const t of timers) clearTimeout(t);
      await closeServer(server, sockets);
    },
  };
}
