/** Scenarios about a forward proxy (HTTPS_PROXY) in the way: silent on CONNECT, 407, 403, 502. */
import type { FindingState } from '../../report/schema.js';
import { hostPort } from '../address.js';
import { startForwardProxy, type ProxyMode } from '../proxy.js';
import type { Scenario } from './types.js';
import { AT, PROXY_NAME, finish, inWorld, labProxy, proxyEnv } from './common.js';

function forwardProxyScenario(name: string, description: string, mode: ProxyMode): Scenario {
  const state: FindingState = mode === 'silent' ? 'stalled' : 'failed';
  const s: Scenario = {
    name, description, expect: { stage: 'proxy-connect', state, target: 'address' }, finishes: mode !== 'silent',
    prepare: () => inWorld({}, async (w) => {
      const goproxy = await labProxy(w, 'https');
      const fwd = w.own(await startForwardProxy({
        host: w.addr(AT.proxy), mode, resolve: (n) => (n === PROXY_NAME ? goproxy.host : null),
      }));
      return finish(s, {
        world: w,
        env: proxyEnv(w, goproxy.url, { HTTPS_PROXY: fwd.url, HTTP_PROXY: fwd.url, NO_PROXY: '' }),
        servers: { goproxy, forwardProxy: fwd },
        expected: { stage: 'proxy-connect', state, host: PROXY_NAME, address: hostPort(fwd.host, fwd.port) },
        notes: [mode === 'silent' ? `HTTPS_PROXY=${fwd.url} accepts CONNECT ${PROXY_NAME}:${goproxy.port} and never answers.`
          : `HTTPS_PROXY=${fwd.url} answers CONNECT with ${mode}${mode === '407' ? ' and Proxy-Authenticate' : ''}.`],
      });
    }),
  };
  return s;
}

const proxyConnectSilent = forwardProxyScenario('proxy-connect-silent', 'HTTPS_PROXY accepts the CONNECT request and never answers it.', 'silent');
const proxy407 = forwardProxyScenario('proxy-407', 'HTTPS_PROXY answers CONNECT with 407 Proxy Authentication Required.', '407');
const proxy403 = forwardProxyScenario('proxy-403', 'HTTPS_PROXY answers CONNECT with 403 Forbidden (a policy block).', '403');
const proxy502 = forwardProxyScenario('proxy-502', 'HTTPS_PROXY answers CONNECT with 502 Bad Gateway.', '502');

export const proxyScenarios: readonly Scenario[] = [proxyConnectSilent, proxy407, proxy403, proxy502];
