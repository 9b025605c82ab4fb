/** Scenarios about the GOPROXY itself: healthy, silent on one URL, slow, 410, trickling body. */
import { hostPort } from '../address.js';
import type { ProxyFault } from '../goproxy.js';
import { escapeModulePath } from '../modules.js';
import type { Scenario } from './types.js';
import { BIG, GREET, PROXY_NAME, REQUIRES, STALL_ZIP, finish, inWorld, labProxy, proxyEnv } from './common.js';

function goproxyScenario(name: string, description: string, scheme: 'http' | 'https', healthy: boolean): Scenario {
  const s: Scenario = {
    name, description,
    expect: healthy ? { stage: 'none', state: 'ok', target: 'none' } : { stage: 'proxy-response', state: 'stalled', target: 'host' },
    finishes: healthy,
    prepare: () => inWorld({}, async (w) => {
      const faults: ProxyFault[] = healthy ? [] : [{ kind: 'silent', match: STALL_ZIP }];
      const proxy = await labProxy(w, scheme, faults);
      return finish(s, {
        world: w, env: proxyEnv(w, proxy.url), servers: { goproxy: proxy },
        expected: healthy ? { stage: 'none', state: 'ok' }
          : { stage: 'proxy-response', state: 'stalled', host: PROXY_NAME, address: hostPort(proxy.host, proxy.port) },
        notes: healthy ? ['go finishes with exit status 0 and the modules are in the fresh GOMODCACHE.']
          : [`${proxy.url}${STALL_ZIP} is accepted and never answered; the other URLs are served.`],
      });
    }),
  };
  return s;
}

const healthy = goproxyScenario('healthy', 'Everything answers: a plain-HTTP lab GOPROXY serves the modules; go finishes.', 'http', true);
const healthyHttps = goproxyScenario('healthy-https', 'Everything answers over HTTPS (HTTP/2, lab CA via SSL_CERT_FILE); go finishes.', 'https', true);

const goproxySilentHttp = goproxyScenario('goproxy-silent-http', 'The HTTP GOPROXY serves .mod and .info, then never answers one .zip request.', 'http', false);
const goproxySilentHttps = goproxyScenario('goproxy-silent-https', 'The HTTPS GOPROXY serves .mod and .info, then never answers one .zip request.', 'https', false);

const goproxySlow: Scenario = {
  name: 'goproxy-slow',
  description: 'The GOPROXY takes 6 s to start answering one .zip request, then answers.',
  expect: { stage: 'proxy-response', state: 'slow', target: 'host' },
  finishes: true,
  prepare: () => inWorld({}, async (w) => {
    const proxy = await labProxy(w, 'http', [{ kind: 'delay', match: STALL_ZIP, ms: 6000 }]);
    return finish(goproxySlow, {
      world: w, env: proxyEnv(w, proxy.url), servers: { goproxy: proxy },
      expected: { stage: 'proxy-response', state: 'slow', host: PROXY_NAME, address: hostPort(proxy.host, proxy.port) },
      notes: [`${proxy.url}${STALL_ZIP} waits 6 s before its first byte (the analysis calls a wait of 5 s or more slow).`],
    });
  }),
};

const goproxyNotFound: Scenario = {
  name: 'goproxy-not-found',
  description: 'The GOPROXY answers 410 Gone for one module and there is no ",direct" fallback.',
  expect: { stage: 'not-found', state: 'failed', target: 'host' },
  finishes: true,
  prepare: () => inWorld({}, async (w) => {
    const mod = `/${escapeModulePath(GREET)}/@v/`;
    const proxy = await labProxy(w, 'https', [{ kind: 'status', match: mod, code: 410 }]);
    return finish(goproxyNotFound, {
      world: w, env: proxyEnv(w, proxy.url), servers: { goproxy: proxy },
      expected: { stage: 'not-found', state: 'failed', host: PROXY_NAME },
      notes: [`${proxy.url}${mod}… answers 410 Gone, as a public proxy does for a private module.`],
    });
  }),
};

const bodyTrickle: Scenario = {
  name: 'body-trickle',
  description: 'The GOPROXY starts a 35 kB .zip response and sends 200 bytes every 250 ms.',
  expect: { stage: 'transfer', state: 'slow', target: 'host' },
  finishes: false,
  prepare: () => inWorld({}, async (w) => {
    const zip = `/${escapeModulePath(BIG)}/@v/v1.0.0.zip`;
    const proxy = await labProxy(w, 'http', [{ kind: 'trickle', match: zip, bytes: 200, everyMs: 250 }]);
    return finish(bodyTrickle, {
      world: w, env: proxyEnv(w, proxy.url), servers: { goproxy: proxy },
      requires: [...REQUIRES, { path: BIG, version: 'v1.0.0' }],
      expected: { stage: 'transfer', state: 'slow', host: PROXY_NAME, address: hostPort(proxy.host, proxy.port) },
      notes: [`${proxy.url}${zip} trickles: 200 bytes every 250 ms (about 0.8 kB/s).`],
    });
  }),
};

export const goproxyScenarios: readonly Scenario[] = [healthy, healthyHttps, goproxySilentHttp, goproxySilentHttps, goproxySlow, goproxyNotFound, bodyTrickle];
