/**
 * End to end: every lab scenario runs real go (1.19 here) under the default runner, and each test
 * checks what a user would see — go's -x lines, its exit, its goroutine dump — and what the lab's
 * servers saw. Stalls are observed for a short window, then go is stopped (SIGQUIT, then KILL).
 * Needs root (port 53, unshare -m) and go on PATH.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { processesReferring } from './leftovers.js';
import { join } from 'node:path';
import { directRunner, runScenario, type RunResult, type ScenarioRun } from '../../src/lab/runner.js';
import { SCENARIOS, findScenario } from '../../src/lab/scenarios.js';
import type { DnsServer } from '../../src/lab/dns.js';
import type { GoProxy } from '../../src/lab/goproxy.js';
import type { TlsSink } from '../../src/lab/faults.js';
import type { ForwardProxy } from '../../src/lab/proxy.js';
import type { GitServer } from '../../src/lab/gitserver.js';
import { canIsolate } from '../../src/lab/isolate.js';

// Root, and a private mount namespace (not every container allows one): the lab's own preconditions.
const root = typeof process.getuid === 'function' && process.getuid() === 0 && (await canIsolate()).ok;
const haveGo = spawnSync('go', ['version'], { encoding: 'utf8' }).status === 0;
/** How long a stalled go is watched before the runner stops it. */
const WINDOW_MS = 3000;
const dirs: string[] = [];

interface Fetch { url: string; result: string | null; seconds: number | null }

/** go -x fetch lines: `# get URL` starts one, `# get URL: …` ends it. */
function fetches(r: RunResult): Fetch[] {
  const out = new Map<string, Fetch>();
  for (const { text } of r.lines) {
    const m = /^# get (\S+?)(?:: (.*))?$/.exec(text);
    if (!m) continue;
    const f = out.get(m[1]) ?? { url: m[1], result: null, seconds: null };
    if (m[2] !== undefined) {
      f.result = m[2];
      const s = /\((\d+\.\d+)s\)$/.exec(m[2]);
      f.seconds = s ? Number(s[1]) : null;
    }
    out.set(m[1], f);
  }
  return [...out.values()];
}

const unfinished = (r: RunResult) => fetches(r).filter((f) => f.result === null);

async function run<T>(name: string, inspect: (run: ScenarioRun) => T | Promise<T>, timeoutMs = WINDOW_MS) {
  const res = await runScenario(name, {
    timeoutMs,
    inspect: (r) => {
      dirs.push(r.scenario.world.dir);
      return inspect(r);
    },
  });
  return res;
}

function servers(r: ScenarioRun) {
  return r.scenario.servers as {
    dns: DnsServer; goproxy?: GoProxy; sumdb?: GoProxy; tls?: TlsSink; forwardProxy?: ForwardProxy;
    git?: GitServer; askpassMarker?: string;
  };
}

describe('scenario table', () => {
  it('has the scenarios the lab promises, each with a verdict', () => {
    expect(SCENARIOS.map((s) => s.name)).toEqual([
      'healthy', 'healthy-https',
      'dns-silent', 'dns-slow', 'dns-aaaa-lost', 'dns-search-domain', 'nxdomain', 'dns-servfail',
      'connect-blackhole', 'connect-refused', 'tls-no-serverhello', 'tls-reset',
      'proxy-connect-silent', 'proxy-407', 'proxy-403', 'proxy-502',
      'goproxy-silent-http', 'goproxy-silent-https', 'goproxy-slow', 'goproxy-not-found', 'body-trickle',
      'healthy-sumdb', 'sumdb-slow', 'sumdb-silent',
      'cache-lock', 'git-prompt', 'goprivate-missing', 'git-silent', 'ipv6-blackhole', 'module-path-malformed',
    ]);
    for (const s of SCENARIOS) {
      expect(s.description.length).toBeGreaterThan(20);
      expect(s.expect.stage).toBeTruthy();
    }
  });
});

describe.skipIf(!root || !haveGo).concurrent('scenarios with real go (needs root, a mount namespace, go)', () => {
  it('healthy: exit 0, modules in the fresh cache, names resolved by the lab DNS', async () => {
    await run('healthy', ({ scenario, result }) => {
      expect(result.exitCode).toBe(0);
      expect(result.timedOut).toBe(false);
      const cache = scenario.world.gomodcache;
      expect(existsSync(join(cache, 'lab.example', 'greet@v1.2.0', 'greet.go'))).toBe(true);
      expect(existsSync(join(cache, 'lab.example', 'util@v0.2.0', 'go.mod'))).toBe(true);
      const s = servers({ scenario, result });
      // go really asked the lab DNS server: the private resolv.conf works.
      expect(s.dns.queries.some((q) => q.name === 'goproxy.lab.example' && q.type === 'A' && q.rcode === 'NOERROR')).toBe(true);
      expect(s.goproxy!.requests.map((q) => q.path)).toContain('/lab.example/greet/@v/v1.2.0.zip');
      expect(s.goproxy!.requests.every((q) => q.status === 200)).toBe(true);
      expect(fetches(result).every((f) => f.result?.startsWith('200 OK'))).toBe(true);
      expect(scenario.expected).toEqual({ stage: 'none', state: 'ok' });
    }, 30_000);
  });

  it('healthy-https: exit 0 over HTTP/2 with the lab CA', async () => {
    await run('healthy-https', ({ scenario, result }) => {
      expect(result.exitCode).toBe(0);
      expect(scenario.env.SSL_CERT_FILE).toMatch(/ca\.pem$/);
      const reqs = servers({ scenario, result }).goproxy!.requests;
      expect(reqs.length).toBeGreaterThanOrEqual(4);
      expect(reqs.every((q) => q.httpVersion === '2.0' && q.status === 200)).toBe(true);
      expect(existsSync(join(scenario.world.gomodcache, 'lab.example', 'greet@v1.2.0', 'greet.go'))).toBe(true);
    }, 30_000);
  });

  it('go checks our go.sum lines: a tampered h1 hash is a checksum mismatch', async () => {
    const p = await findScenario('healthy')!.prepare();
    dirs.push(p.world.dir);
    try {
      const sumPath = join(p.cwd, 'go.sum');
      const m = p.world.modules.get('lab.example/greet', 'v1.2.0')!;
      const bad = m.sumZip.replace(/h1:.{4}/, 'h1:AAAA');
      writeFileSync(sumPath, readFileSync(sumPath, 'utf8').replace(m.sumZip, bad));
      const r = await directRunner(p, { timeoutMs: 30_000 });
      expect(r.exitCode).toBe(1);
      expect(r.output).toMatch(/checksum mismatch/);
      expect(r.output).toContain('lab.example/greet@v1.2.0');
    } finally {
      await p.cleanup();
    }
  });

  it('dns-silent: the fetch starts and never ends; the lab DNS saw unanswered queries', async () => {
    await run('dns-silent', ({ scenario, result }) => {
      expect(result.timedOut).toBe(true);
      const open = unfinished(result);
      expect(open.length).toBeGreaterThan(0);
      expect(open[0].url).toMatch(/^https:\/\/goproxy\.lab\.example:\d+\//);
      expect(fetches(result).every((f) => f.result === null)).toBe(true);
      const s = servers({ scenario, result });
      const qs = s.dns.queries.filter((q) => q.name === 'goproxy.lab.example');
      expect(qs.length).toBeGreaterThanOrEqual(2);
      expect(qs.every((q) => q.rcode === null)).toBe(true);
      expect(s.goproxy!.requests).toEqual([]);
      expect(result.output).toMatch(/net\.\(\*Resolver\)/);
      expect(scenario.expected).toMatchObject({ stage: 'dns', state: 'stalled', host: 'goproxy.lab.example' });
    });
  });

  it('dns-slow: finishes, the first fetches include the 1.5 s lookup', async () => {
    await run('dns-slow', ({ scenario, result }) => {
      expect(result.exitCode).toBe(0);
      const secs = fetches(result).map((f) => f.seconds ?? 0);
      expect(Math.max(...secs)).toBeGreaterThanOrEqual(1.4);
      expect(servers({ scenario, result }).dns.queries.every((q) => q.rcode === 'NOERROR')).toBe(true);
    }, 30_000);
  });

  it('dns-aaaa-lost: A answered, AAAA never; go goes on after its resolver timeouts (~10 s)', async () => {
    await run('dns-aaaa-lost', ({ scenario, result }) => {
      expect(result.exitCode).toBe(0);
      const secs = fetches(result).map((f) => f.seconds ?? 0);
      expect(Math.max(...secs)).toBeGreaterThanOrEqual(9.5);
      const qs = servers({ scenario, result }).dns.queries;
      expect(qs.filter((q) => q.type === 'A').every((q) => q.rcode === 'NOERROR')).toBe(true);
      const aaaa = qs.filter((q) => q.type === 'AAAA');
      expect(aaaa.length).toBeGreaterThanOrEqual(2);
      expect(aaaa.every((q) => q.rcode === null)).toBe(true);
    }, 25_000);
  }, 40_000);

  it('dns-search-domain: the search-list name is asked first, unanswered, then the bare name', async () => {
    await run('dns-search-domain', ({ scenario, result }) => {
      expect(result.exitCode).toBe(0);
      expect(Math.max(...fetches(result).map((f) => f.seconds ?? 0))).toBeGreaterThanOrEqual(1.8);
      const qs = servers({ scenario, result }).dns.queries;
      const expanded = qs.filter((q) => q.name === 'goproxy.lab.example.corp.lab.example');
      expect(expanded.length).toBeGreaterThanOrEqual(2);
      expect(expanded.every((q) => q.rcode === null)).toBe(true);
      const firstBare = qs.findIndex((q) => q.name === 'goproxy.lab.example');
      expect(firstBare).toBeGreaterThan(qs.indexOf(expanded[0]));
      expect(qs[firstBare].rcode).toBe('NOERROR');
    }, 25_000);
  }, 40_000);

  it('nxdomain: fails with "no such host" naming the lab DNS server', async () => {
    await run('nxdomain', ({ scenario, result }) => {
      expect(result.exitCode).toBe(1);
      expect(result.output).toContain(`lookup goproxy.lab.example on ${scenario.world.dns.address}: no such host`);
      expect(servers({ scenario, result }).dns.queries.some((q) => q.rcode === 'NXDOMAIN')).toBe(true);
    }, 30_000);
  });

  it('dns-servfail: fails with "server misbehaving"', async () => {
    await run('dns-servfail', ({ scenario, result }) => {
      expect(result.exitCode).toBe(1);
      expect(result.output).toContain(`lookup goproxy.lab.example on ${scenario.world.dns.address}: server misbehaving`);
      expect(servers({ scenario, result }).dns.queries.some((q) => q.rcode === 'SERVFAIL')).toBe(true);
    }, 30_000);
  });

  it('connect-blackhole: no SYN-ACK, the fetch never ends, go waits in connect', async () => {
    await run('connect-blackhole', ({ scenario, result }) => {
      expect(result.timedOut).toBe(true);
      expect(unfinished(result).length).toBeGreaterThan(0);
      expect(fetches(result).every((f) => f.result === null)).toBe(true);
      expect(result.output).toMatch(/net\.\(\*netFD\)\.connect/);
      expect(scenario.expected.address).toMatch(/^127\.\d+\.\d+\.20:\d+$/);
    });
  });

  it('connect-refused: "connection refused" to the expected address', async () => {
    await run('connect-refused', ({ scenario, result }) => {
      expect(result.exitCode).toBe(1);
      expect(result.output).toContain(`dial tcp ${scenario.expected.address}: connect: connection refused`);
    }, 30_000);
  });

  it('tls-no-serverhello: the server got a ClientHello with SNI; go waits in the handshake', async () => {
    await run('tls-no-serverhello', async ({ scenario, result }) => {
      expect(result.timedOut).toBe(true);
      expect(fetches(result).every((f) => f.result === null)).toBe(true);
      const hello = await servers({ scenario, result }).tls!.waitForClientHello(10);
      expect(hello.sni).toBe('goproxy.lab.example');
      expect(result.output).toMatch(/crypto\/tls\.\(\*Conn\)\.(clientHandshake|readHandshake)/);
    });
  });

  it('tls-reset: "connection reset by peer" after the ClientHello', async () => {
    await run('tls-reset', ({ scenario, result }) => {
      expect(result.exitCode).toBe(1);
      expect(result.output).toMatch(/read: connection reset by peer/);
      expect(servers({ scenario, result }).tls!.connections.some((c) => c.clientHello && c.sni === 'goproxy.lab.example')).toBe(true);
    }, 30_000);
  });

  it('proxy-connect-silent: CONNECT reaches the proxy and is never answered', async () => {
    await run('proxy-connect-silent', ({ scenario, result }) => {
      expect(result.timedOut).toBe(true);
      const s = servers({ scenario, result });
      const connects = s.forwardProxy!.requests.filter((q) => q.method === 'CONNECT');
      expect(connects.length).toBeGreaterThan(0);
      expect(connects[0].target).toBe(`goproxy.lab.example:${s.goproxy!.port}`);
      expect(connects.every((q) => q.status === null)).toBe(true);
      expect(s.goproxy!.requests).toEqual([]);
      expect(scenario.expected.address).toBe(`${s.forwardProxy!.host}:${s.forwardProxy!.port}`);
    });
  });

  for (const code of ['403', '502'] as const) {
    it(`proxy-${code}: go reports the proxy's ${code}`, async () => {
      await run(`proxy-${code}`, ({ scenario, result }) => {
        expect(result.exitCode).toBe(1);
        expect(result.output).toContain(code === '403' ? 'Forbidden' : 'Bad Gateway');
        expect(servers({ scenario, result }).forwardProxy!.requests[0]).toMatchObject({ method: 'CONNECT', status: Number(code) });
      }, 30_000);
    });
  }

  it('proxy-407: go reports Proxy Authentication Required', async () => {
    await run('proxy-407', ({ scenario, result }) => {
      expect(result.exitCode).toBe(1);
      expect(result.output).toContain('Proxy Authentication Required');
      expect(servers({ scenario, result }).forwardProxy!.requests[0]).toMatchObject({ method: 'CONNECT', status: 407 });
    }, 30_000);
  });

  for (const scheme of ['http', 'https'] as const) {
    it(`goproxy-silent-${scheme}: other URLs answered, the greet zip never`, async () => {
      await run(`goproxy-silent-${scheme}`, ({ scenario, result }) => {
        expect(result.timedOut).toBe(true);
        const open = unfinished(result);
        expect(open.map((f) => f.url)).toEqual([expect.stringMatching(new RegExp(`^${scheme}://goproxy\\.lab\\.example:\\d+/lab\\.example/greet/@v/v1\\.2\\.0\\.zip$`))]);
        expect(fetches(result).filter((f) => f.result?.startsWith('200 OK')).length).toBeGreaterThanOrEqual(4);
        const hung = servers({ scenario, result }).goproxy!.requests.filter((q) => q.status === null);
        expect(hung.map((q) => q.path)).toEqual(['/lab.example/greet/@v/v1.2.0.zip']);
      });
    });
  }

  it('goproxy-slow: the delayed zip ends after ~6 s, and go finishes', async () => {
    await run('goproxy-slow', ({ result }) => {
      expect(result.exitCode).toBe(0);
      const zip = fetches(result).find((f) => f.url.endsWith('/lab.example/greet/@v/v1.2.0.zip'));
      expect(zip?.result).toMatch(/^200 OK/);
      expect(zip!.seconds!).toBeGreaterThanOrEqual(5.9);
    }, 25_000);
  }, 40_000);

  it('goproxy-not-found: 410 Gone for the module, and go gives up (no direct fallback)', async () => {
    await run('goproxy-not-found', ({ scenario, result }) => {
      expect(result.exitCode).toBe(1);
      expect(result.output).toMatch(/lab\.example\/greet@v1\.2\.0: reading https:\/\/goproxy\.lab\.example:\d+\/lab\.example\/greet\/@v\/v1\.2\.0\.mod: 410 Gone/);
      const reqs = servers({ scenario, result }).goproxy!.requests;
      expect(reqs.find((q) => q.path === '/lab.example/greet/@v/v1.2.0.mod')?.status).toBe(410);
    }, 30_000);
  });

  it('body-trickle: headers arrive, the body is still arriving when the window ends', async () => {
    await run('body-trickle', ({ scenario, result }) => {
      expect(result.timedOut).toBe(true);
      const big = fetches(result).find((f) => f.url.endsWith('/lab.example/big/@v/v1.0.0.zip'));
      expect(big?.result).toMatch(/^200 OK/);
      const s = servers({ scenario, result });
      const req = s.goproxy!.requests.find((q) => q.path.endsWith('big/@v/v1.0.0.zip'))!;
      const size = s.goproxy!.modules.get('lab.example/big', 'v1.0.0')!.zip.length;
      expect(req.done).toBe(false);
      expect(req.bytesSent).toBeGreaterThan(1000);
      expect(req.bytesSent).toBeLessThan(size);
    });
  });

  it('healthy-sumdb: go verifies every module with the lab checksum database (no go.sum)', async () => {
    await run('healthy-sumdb', ({ scenario, result }) => {
      expect(result.exitCode).toBe(0);
      expect(scenario.env.GOSUMDB).toMatch(/^sum\.lab\.example\+[0-9a-f]{8}\+\S+ http:\/\/sum\.lab\.example:\d+$/);
      const paths = servers({ scenario, result }).sumdb!.requests.map((q) => `${q.path} ${q.status}`);
      expect(paths).toContain('/lookup/lab.example/greet@v1.2.0 200');
      expect(paths).toContain('/lookup/lab.example/util@v0.2.0 200');
      expect(paths.some((p) => /^\/tile\/8\/0\/000\.p\/\d+ 200$/.test(p))).toBe(true);
      expect(existsSync(join(scenario.world.gomodcache, 'lab.example', 'greet@v1.2.0', 'greet.go'))).toBe(true);
    }, 30_000);
  });

  it('go checks the lab checksum database: a proxy serving other content is a SECURITY ERROR', async () => {
    const { createWorld } = await import('../../src/lab/world.js');
    const { startGoProxy } = await import('../../src/lab/goproxy.js');
    const { startSumdbServer } = await import('../../src/lab/sumdbserver.js');
    const { generateModules, DEFAULT_MODULES } = await import('../../src/lab/modules.js');
    const w = await createWorld();
    dirs.push(w.dir);
    try {
      // Same paths and versions, different .go files: the zips' h1 hashes differ from the database's.
      const other = generateModules(DEFAULT_MODULES.map((s) => ({ ...s, padding: 100 })));
      const proxy = w.own(await startGoProxy({ host: w.addr(10), hostname: 'goproxy.lab.example', modules: other }));
      w.name('goproxy.lab.example', { a: [proxy.host] });
      const sumdb = w.own(await startSumdbServer({ host: w.addr(40), name: 'sum.lab.example', modules: w.modules }));
      w.name('sum.lab.example', { a: [sumdb.host] });
      const cwd = await w.project([{ path: 'lab.example/util', version: 'v0.2.0' }]);
      const p = { wrap: await w.wrap(), command: ['go', 'mod', 'download'], cwd, env: w.goEnv({ GOPROXY: proxy.url, GOSUMDB: sumdb.gosumdb }) };
      const r = await directRunner(p as never, { timeoutMs: 30_000 });
      expect(r.exitCode).toBe(1);
      expect(r.output).toMatch(/lab\.example\/util@v0\.2\.0: verifying module: checksum mismatch/);
      expect(r.output).toContain(`sum.lab.example: ${w.modules.get('lab.example/util', 'v0.2.0')!.sumZip.split(' ')[2]}`);
      expect(r.output).toContain('SECURITY ERROR');
    } finally {
      await w.cleanup();
    }
  });

  it('sumdb-slow: lookups answered after ~6 s; go finishes', async () => {
    await run('sumdb-slow', ({ result }) => {
      expect(result.exitCode).toBe(0);
      const lookups = fetches(result).filter((f) => /\/lookup\//.test(f.url));
      expect(lookups.length).toBeGreaterThan(0);
      expect(lookups.every((f) => (f.seconds ?? 0) >= 5.9)).toBe(true);
    }, 25_000);
  }, 40_000);

  it('sumdb-silent: the lookup goes to the lab checksum database and never ends', async () => {
    await run('sumdb-silent', ({ scenario, result }) => {
      expect(result.timedOut).toBe(true);
      expect(scenario.env.GOSUMDB).toMatch(/^sum\.lab\.example\+[0-9a-f]{8}\+\S+ http:\/\/sum\.lab\.example:\d+$/);
      const open = unfinished(result);
      expect(open.length).toBeGreaterThan(0);
      expect(open.every((f) => /^http:\/\/sum\.lab\.example:\d+\/lookup\/lab\.example\//.test(f.url))).toBe(true);
      const s = servers({ scenario, result });
      expect(s.sumdb!.requests.some((q) => q.path.startsWith('/lookup/lab.example/'))).toBe(true);
      // With a URL in GOSUMDB, go asks that URL directly, not the GOPROXY's /sumdb/ path.
      expect(s.goproxy!.requests.some((q) => q.path.startsWith('/sumdb/'))).toBe(false);
      // go.mod files came from the GOPROXY before the lookups began.
      expect(s.goproxy!.requests.every((q) => q.status === 200)).toBe(true);
    });
  });

  it('cache-lock: go blocks in flock on the held lock and never fetches that zip', async () => {
    await run('cache-lock', ({ scenario, result }) => {
      expect(result.timedOut).toBe(true);
      expect(scenario.expected.path).toMatch(/cache\/download\/lab\.example\/greet\/@v\/v1\.2\.0\.lock$/);
      expect(result.output).toMatch(/syscall\.Flock/);
      const paths = servers({ scenario, result }).goproxy!.requests.map((q) => q.path);
      expect(paths).toContain('/lab.example/util/@v/v0.2.0.zip');
      expect(paths).not.toContain('/lab.example/greet/@v/v1.2.0.zip');
    });
  });

  it('git-prompt: git asks for credentials for the lab git host and waits', async () => {
    await run('git-prompt', ({ scenario, result }) => {
      expect(result.timedOut).toBe(true);
      const s = servers({ scenario, result });
      expect(s.git!.requests.some((q) => q.path.includes('?go-get=1') && q.status === 200)).toBe(true);
      expect(s.git!.requests.some((q) => q.path.startsWith('/team/private.git/info/refs') && q.status === 401)).toBe(true);
      expect(readFileSync(s.askpassMarker!, 'utf8')).toMatch(/Username for 'https:\/\/git\.lab\.example'/);
      expect(result.output).toMatch(/git ls-remote -q origin/);
      expect(result.output).toMatch(/os\/exec\.\(\*Cmd\)\.Wait/);
    });
  });

  it('goprivate-missing: 404 from the GOPROXY, then direct git, then the prompt waits', async () => {
    await run('goprivate-missing', ({ scenario, result }) => {
      expect(result.timedOut).toBe(true);
      const s = servers({ scenario, result });
      expect(s.goproxy!.requests.some((q) => q.path.startsWith('/git.lab.example/team/private/@v/') && q.status === 404)).toBe(true);
      expect(s.git!.requests.some((q) => q.path.startsWith('/team/private.git/info/refs') && q.status === 401)).toBe(true);
      expect(readFileSync(s.askpassMarker!, 'utf8')).toMatch(/Username for 'https:\/\/git\.lab\.example'/);
      expect(result.output).toMatch(/404 Not Found/);
    });
  });

  it('git-silent: git ls-remote waits on an unanswered request to the lab git host', async () => {
    await run('git-silent', ({ scenario, result }) => {
      expect(result.timedOut).toBe(true);
      const reqs = servers({ scenario, result }).git!.requests;
      expect(reqs.some((q) => q.path.startsWith('/team/private.git/info/refs') && q.status === 0)).toBe(true);
      expect(result.output).toMatch(/git ls-remote -q origin/);
      expect(result.output).not.toMatch(/^\d+\.\d+s # cd [^\n]*git ls-remote/m);
    });
  });

  it.skipIf(!findScenario('ipv6-blackhole'))('ipv6-blackhole: finishes, each new connection pays the ~300 ms fallback', async () => {
    const why = await findScenario('ipv6-blackhole')!.unavailable?.();
    if (why) return;
    await run('ipv6-blackhole', ({ scenario, result }) => {
      expect(result.exitCode).toBe(0);
      const first = fetches(result).map((f) => f.seconds ?? 0);
      expect(Math.max(...first)).toBeGreaterThanOrEqual(0.25);
      const q = servers({ scenario, result }).dns.queries.find((x) => x.type === 'AAAA');
      expect(q).toMatchObject({ rcode: 'NOERROR', answers: 1 });
      expect(scenario.expected.address).toMatch(/^\[::1\]:\d+$/);
      expect(scenario.captureFilter).toContain('host ::1');
    }, 30_000);
  });
});

afterAll(() => {
  // Nothing we started may outlive the tests: no process may still refer to a scenario's folder
  // (go and git inherit its GOPATH; flock names its lock file).
  expect(processesReferring(dirs)).toEqual([]);
  for (const d of dirs) expect(existsSync(d)).toBe(false);
});
