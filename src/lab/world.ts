/**
 * A lab "world": one random loopback /24 (127.A.B.0/24), a temp directory, the lab DNS server on
 * 127.A.B.53:53, a lazily made CA, and the go environment and project a scenario runs with.
 * Everything a scenario starts is registered here and torn down by cleanup().
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomLoopbackNet } from './address.js';
import { createLabCa, type LabCa } from './ca.js';
import { startDnsServer, type DnsFault, type DnsRecords, type DnsServer } from './dns.js';
import { resolvConfWrap, type ResolvConfOptions } from './isolate.js';
import { generateModules, type ModuleSet } from './modules.js';
import { LabError } from './errors.js';

export interface World {
  /** `127.A.B` */
  net: string;
  dir: string;
  dns: DnsServer;
  modules: ModuleSet;
  /** `127.A.B.n` */
  addr(n: number): string;
  /** tcpdump filter that selects this world's traffic. */
  captureFilter: string;
  /** Add a name to the lab DNS. */
  name(name: string, records: DnsRecords): void;
  ca(): Promise<LabCa>;
  /** Remember something to close on cleanup (closed in reverse order). */
  own<T extends { close?: () => Promise<void>; release?: () => Promise<void>; cleanup?: () => Promise<void> }>(thing: T): T;
  /** The command prefix giving go this world's resolv.conf. */
  wrap(opts?: Omit<ResolvConfOptions, 'nameservers'>): Promise<string[]>;
  /** A fresh GOPATH/GOMODCACHE/GOCACHE/HOME and a complete environment for go (not merged with ours). */
  goEnv(extra: Record<string, string>): Record<string, string>;
  gomodcache: string;
  /** Write the project (go.mod requiring `requires`, optional go.sum) and return its directory. */
  project(requires: { path: string; version: string }[], opts?: { goSum?: boolean }): Promise<string>;
  cleanup(): Promise<void>;
}

export async function createWorld(opts: { dnsFaults?: Record<string, DnsFault>; modules?: ModuleSet } = {}): Promise<World> {
  const dir = await mkdtemp(join(tmpdir(), 'gomod-trace-lab-'));
  const closers: (() => Promise<void>)[] = [];
  let dns: DnsServer | null = null;
  let net = '';
  for (let attempt = 0; attempt < 8 && !dns; attempt++) {
    net = randomLoopbackNet();
    try {
      dns = await startDnsServer({ host: `${net}.53`, port: 53, records: {}, faults: opts.dnsFaults });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt === 7) {
        await rm(dir, { recursive: true, force: true });
        const e = err as NodeJS.ErrnoException;
        if (e.code === 'EACCES') throw new LabError('the lab DNS server needs port 53: run as root (or give node CAP_NET_BIND_SERVICE)', { cause: err });
        throw err;
      }
    }
  }
  const d = dns!;
  let ca: Promise<LabCa> | null = null;
  const gopath = join(dir, 'gopath');
  const gomodcache = join(gopath, 'pkg', 'mod');
  const modules = opts.modules ?? generateModules();
  let cleaned = false;

  const world: World = {
    net, dir, dns: d, modules, gomodcache,
    addr: (n) => `${net}.${n}`,
    captureFilter: `net ${net}.0/24`,
    name: (name, records) => d.set(name, records),
    ca() {
      ca ??= createLabCa({ dir: join(dir, 'ca') });
      return ca;
    },
    own(thing) {
      const close = thing.close ?? thing.release ?? thing.cleanup;
      if (close) closers.push(() => close.call(thing));
      return thing;
    },
    async wrap(o = {}) {
      const { wrap } = await resolvConfWrap(dir, { nameservers: [d.host], ...o });
      return wrap;
    },
    goEnv(extra) {
      const env: Record<string, string> = {
        PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
        HOME: join(dir, 'home'),
        USER: process.env.USER ?? 'root',
        LANG: 'C',
        TMPDIR: join(dir, 'tmp'),
        GOPATH: gopath,
        GOMODCACHE: gomodcache,
        GOCACHE: join(dir, 'gocache'),
        GOENV: 'off',
        GOWORK: 'off',
        GO111MODULE: 'on',
        GOFLAGS: '-modcacherw',
        GOTOOLCHAIN: 'local',
        GOSUMDB: 'off',
        GONOSUMDB: '',
        GOPRIVATE: '',
        GONOPROXY: '',
        GOINSECURE: '',
        GOVCS: '',
        // Go's own resolver reads the lab resolv.conf; cgo would ask nss modules instead.
        GODEBUG: 'netdns=go',
        // Ignore /etc/gitconfig (credential helpers) and the user's: only the lab's settings count.
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_CONFIG_GLOBAL: '/dev/null',
        ...extra,
      };
      if (ca) env.SSL_CERT_FILE ??= join(dir, 'ca', 'ca.pem');
      return env;
    },
    async project(requires, o = {}) {
      const p = join(dir, 'project');
      await mkdir(p, { recursive: true });
      await mkdir(join(dir, 'home'), { recursive: true });
      await mkdir(join(dir, 'tmp'), { recursive: true });
      const req = requires.map((r) => `\t${r.path} ${r.version}\n`).join('');
      await writeFile(join(p, 'go.mod'), `module lab.example/project\n\ngo 1.19\n\nrequire (\n${req})\n`);
      if (o.goSum) await writeFile(join(p, 'go.sum'), modules.goSum(requires));
      return p;
    },
    async cleanup() {
      if (cleaned) return;
      cleaned = true;
      const errors: unknown[] = [];
      // Each close is bounded: a server that will not close must not hang the caller.
      const bounded = (p: Promise<void>, what: string) => Promise.race([p, new Promise<void>((_, reject) => {
        const t = setTimeout(() => reject(new Error(`${what} did not close within 5 s`)), 5000);
        t.unref();
      })]);
      for (const c of closers.reverse()) {
        try { await bounded(c(), 'a lab server'); } catch (err) { errors.push(err); }
      }
      try { await bounded(d.close(), 'the lab DNS server'); } catch (err) { errors.push(err); }
      if (ca) { try { await (await ca).cleanup(); } catch { /* made in dir, removed below */ } }
      await rm(dir, { recursive: true, force: true, maxRetries: 3 });
      if (errors.length) throw new Error(`lab cleanup: ${errors.map(String).join('; ')}`);
    },
  };
  await mkdir(join(dir, 'ca'), { recursive: true });
  return world;
}
