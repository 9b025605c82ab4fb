/** Scenarios about name resolution: the lab DNS server silent, slow, failing, or a search domain in the way. */
import type { FindingState } from '../../report/schema.js';
import type { DnsFault } from '../dns.js';
import type { Scenario } from './types.js';
import { PROXY_NAME, finish, inWorld, labProxy, proxyEnv } from './common.js';

const DNS_FAULT_WORDS: Record<DnsFault['kind'], (f: DnsFault) => string> = {
  silent: () => 'never answers',
  slow: (f) => `answers after ${f.kind === 'slow' ? f.ms : 0} ms`,
  nxdomain: () => 'answers NXDOMAIN',
  servfail: () => 'answers SERVFAIL',
  'aaaa-lost': () => 'answers A queries and drops AAAA queries',
};

function dnsScenario(name: string, description: string, fault: DnsFault, state: FindingState, finishes: boolean): Scenario {
  const s: Scenario = {
    name, description, expect: { stage: 'dns', state, target: 'host' }, finishes,
    prepare: () => inWorld({ dnsFaults: { [PROXY_NAME]: fault } }, async (w) => {
      const proxy = await labProxy(w, 'https');
      // resolv.conf keeps the defaults (5 s per try, 2 attempts): dns-slow's delay stays under them.
      return finish(s, {
        world: w, env: proxyEnv(w, proxy.url), servers: { goproxy: proxy },
        expected: { stage: 'dns', state, host: PROXY_NAME },
        notes: [`The lab DNS server ${w.dns.address} ${DNS_FAULT_WORDS[fault.kind](fault)} for ${PROXY_NAME}.`],
      });
    }),
  };
  return s;
}

const dnsSilent = dnsScenario('dns-silent', 'The DNS server never answers for the GOPROXY host: go waits for its resolver timeouts.', { kind: 'silent' }, 'stalled', false);
const dnsSlow = dnsScenario('dns-slow', 'The DNS server answers, but 1.5 s late each time; go finishes slowly.', { kind: 'slow', ms: 1500 }, 'slow', true);
const dnsAaaaLost = dnsScenario('dns-aaaa-lost', 'The DNS server answers A but never AAAA: each lookup waits out the resolver timeouts (2 x 5 s), then go goes on.', { kind: 'aaaa-lost' }, 'slow', true);
const dnsServfail = dnsScenario('dns-servfail', 'The DNS server answers SERVFAIL for the GOPROXY host: "server misbehaving".', { kind: 'servfail' }, 'failed', true);
const dnsSearchDomain: Scenario = {
  name: 'dns-search-domain',
  description: 'resolv.conf has a search domain (ndots:5) that is never answered: each lookup waits 2 x 1 s before the bare name.',
  expect: { stage: 'dns', state: 'slow', target: 'host' },
  finishes: true,
  prepare: () => inWorld({ dnsFaults: { '*.corp.lab.example': { kind: 'silent' } } }, async (w) => {
    const proxy = await labProxy(w, 'http');
    const wrap = await w.wrap({ search: ['corp.lab.example'], ndots: 5, timeout: 1, attempts: 2 });
    return finish(dnsSearchDomain, {
      world: w, env: proxyEnv(w, proxy.url), wrap, servers: { goproxy: proxy },
      expected: { stage: 'dns', state: 'slow', host: PROXY_NAME },
      notes: [`go first asks for ${PROXY_NAME}.corp.lab.example (never answered: 2 tries x 1 s), then ${PROXY_NAME}.`],
    });
  }),
};
const nxdomain = dnsScenario('nxdomain', 'The DNS server answers NXDOMAIN for the GOPROXY host: "no such host".', { kind: 'nxdomain' }, 'failed', true);

export const dnsScenarios: readonly Scenario[] = [dnsSilent, dnsSlow, dnsAaaaLost, dnsSearchDomain, nxdomain, dnsServfail];
