/**
 * The lab's scenarios: each makes real `go mod download` hang or fail one way users meet, on
 * loopback only, and says which verdict gomod-trace must reach for it. `prepare()` starts the
 * servers in a fresh world (world.ts) and returns what to run; the caller runs it (runner.ts or
 * `record`) and then calls cleanup().
 */
import type { Scenario } from './scenarios/types.js';
import { goproxyScenarios } from './scenarios/goproxy.js';
import { dnsScenarios } from './scenarios/dns.js';
import { networkScenarios } from './scenarios/network.js';
import { proxyScenarios } from './scenarios/proxy.js';
import { sumdbScenarios } from './scenarios/sumdb.js';
import { localScenarios } from './scenarios/local.js';

export type { ExpectedVerdict, PreparedScenario, PrepareOptions, Scenario } from './scenarios/types.js';

const byName = new Map<string, Scenario>(
  [...goproxyScenarios, ...dnsScenarios, ...networkScenarios, ...proxyScenarios, ...sumdbScenarios, ...localScenarios].map((s) => [s.name, s]),
);

/** Display order (lab list, docs, tests): the families, roughly in the order a download meets them. */
const ORDER = [
  'healthy', 'healthy-https',
  'dns-silent', 'dns-slow', 'dns-aaaa-lost', 'dns-search-domain', 'nxdomain', 'dns-servfail',
  'connect-blackhole', 'connect-refused', 'tls-no-serverhello', 'tls-reset',
  'proxy-connect-silent', 'proxy-407', 'proxy-403', 'proxy-502',
  'goproxy-silent-http', 'goproxy-silent-https', 'goproxy-slow', 'goproxy-not-found', 'body-trickle',
  'healthy-sumdb', 'sumdb-slow', 'sumdb-silent',
  'cache-lock', 'git-prompt', 'goprivate-missing', 'git-silent', 'ipv6-blackhole', 'module-path-malformed',
];

export const SCENARIOS: readonly Scenario[] = (() => {
  const list = ORDER.map((n) => {
    const s = byName.get(n);
    if (!s) throw new Error(`lab scenario table: ${n} is not defined`);
    return s;
  });
  if (list.length !== byName.size) throw new Error('lab scenario table: a defined scenario is missing from ORDER');
  return list;
})();

export function findScenario(name: string): Scenario | undefined {
  return byName.get(name);
}
