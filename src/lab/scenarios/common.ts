/** What every scenario shares: the lab modules it requires, the address plan, and the set-up helpers. */
import { LAB_MODULE_HOST, escapeModulePath } from '../modules.js';
import { startGoProxy, type GoProxy, type ProxyFault } from '../goproxy.js';
import { createWorld, type World } from '../world.js';
import type { DnsFault } from '../dns.js';
import type { ExpectedVerdict, PreparedScenario, Scenario } from './types.js';

export const GREET = `${LAB_MODULE_HOST}/greet`;
export const UTIL = `${LAB_MODULE_HOST}/util`;
export const BIG = `${LAB_MODULE_HOST}/big`;
export const REQUIRES = [{ path: GREET, version: 'v1.2.0' }, { path: UTIL, version: 'v0.2.0' }];
export const PROXY_NAME = 'goproxy.lab.example';
/** The URL a "one URL never answers" scenario leaves hanging: go asks for it after the .mod files. */
export const STALL_ZIP = `/${escapeModulePath(GREET)}/@v/v1.2.0.zip`;

// Address plan inside a world's 127.A.B.0/24: .53 DNS, .10 GOPROXY, .20 fault server, .30 forward
// proxy, .40 checksum DB, .50 git host.
export const AT = { goproxy: 10, fault: 20, proxy: 30, sumdb: 40, git: 50 } as const;

export interface Setup {
  world: World;
  env: Record<string, string>;
  requires?: { path: string; version: string }[];
  goSum?: boolean;
  wrap?: string[];
  expected: ExpectedVerdict;
  servers: Record<string, unknown>;
  notes?: string[];
  captureFilter?: string;
  extraCleanup?: () => Promise<void>;
}

export async function finish(s: Scenario, setup: Setup): Promise<PreparedScenario> {
  const cwd = await setup.world.project(setup.requires ?? REQUIRES, { goSum: setup.goSum ?? true });
  const wrap = setup.wrap ?? (await setup.world.wrap());
  return {
    name: s.name,
    env: setup.env,
    cwd,
    command: ['go', 'mod', 'download'],
    wrap,
    captureFilter: setup.captureFilter ?? setup.world.captureFilter,
    expected: setup.expected,
    finishes: s.finishes,
    needsStrace: s.needsStrace ?? false,
    servers: { dns: setup.world.dns, ...setup.servers },
    world: setup.world,
    notes: setup.notes ?? [],
    async cleanup() {
      try {
        await setup.extraCleanup?.();
      } finally {
        await setup.world.cleanup();
      }
    },
  };
}

/** Start a world, run `body`, and clean the world up if body throws. */
export async function inWorld(opts: { dnsFaults?: Record<string, DnsFault> }, body: (w: World) => Promise<PreparedScenario>): Promise<PreparedScenario> {
  const world = await createWorld({ dnsFaults: opts.dnsFaults });
  try {
    return await body(world);
  } catch (err) {
    await world.cleanup().catch(() => undefined);
    throw err;
  }
}

/** A GOPROXY in the world named goproxy.lab.example, over http or https. */
export async function labProxy(w: World, scheme: 'http' | 'https', faults: ProxyFault[] = [], n: number = AT.goproxy): Promise<GoProxy> {
  const host = w.addr(n);
  const tls = scheme === 'https' ? await (await w.ca()).issue([PROXY_NAME], [host]) : undefined;
  const proxy = w.own(await startGoProxy({ host, scheme, tls, hostname: PROXY_NAME, modules: w.modules, faults }));
  w.name(PROXY_NAME, { a: [host] });
  return proxy;
}

export function proxyEnv(w: World, goproxy: string, extra: Record<string, string> = {}): Record<string, string> {
  return w.goEnv({ GOPROXY: goproxy, ...extra });
}
