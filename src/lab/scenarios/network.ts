/** Scenarios about reaching the server: connect black hole, refused, TLS with no ServerHello or reset, IPv6 black hole. */
import type { FindingState } from '../../report/schema.js';
import { hostPort, ipv6LoopbackAvailable } from '../address.js';
import { refusedPort, startBlackhole, startTlsSink } from '../faults.js';
import { startGoProxy } from '../goproxy.js';
import type { Scenario } from './types.js';
import { AT, PROXY_NAME, finish, inWorld, proxyEnv } from './common.js';

function tlsScenario(name: string, description: string, mode: 'silent' | 'reset'): Scenario {
  const state: FindingState = mode === 'silent' ? 'stalled' : 'failed';
  const s: Scenario = {
    name, description, expect: { stage: 'tls', state, target: 'host' }, finishes: mode === 'reset',
    prepare: () => inWorld({}, async (w) => {
      const sink = w.own(await startTlsSink({ host: w.addr(AT.fault), mode }));
      w.name(PROXY_NAME, { a: [sink.host] });
      await w.ca();
      return finish(s, {
        world: w, env: proxyEnv(w, `https://${PROXY_NAME}:${sink.port}`), servers: { tls: sink },
        expected: { stage: 'tls', state, host: PROXY_NAME, address: sink.address },
        notes: [mode === 'silent' ? `${sink.address} reads the ClientHello and never sends a ServerHello (go gives up after its 10 s TLS handshake timeout).`
          : `${sink.address} resets the connection as soon as the ClientHello arrives.`],
      });
    }),
  };
  return s;
}

const connectBlackhole: Scenario = {
  name: 'connect-blackhole',
  description: 'The GOPROXY address drops SYNs (a listener whose accept queue is full): connect hangs.',
  expect: { stage: 'connect', state: 'stalled', target: 'address' },
  finishes: false,
  prepare: () => inWorld({}, async (w) => {
    const hole = w.own(await startBlackhole({ host: w.addr(AT.fault) }));
    w.name(PROXY_NAME, { a: [hole.host] });
    await w.ca();
    return finish(connectBlackhole, {
      world: w, env: proxyEnv(w, `https://${PROXY_NAME}:${hole.port}`), servers: { blackhole: hole },
      expected: { stage: 'connect', state: 'stalled', host: PROXY_NAME, address: hole.address },
      notes: [`SYNs to ${hole.address} go unanswered; Linux re-sends them at about 1, 3, 7, 15 s.`],
    });
  }),
};

const connectRefused: Scenario = {
  name: 'connect-refused',
  description: 'Nothing listens on the GOPROXY port: the SYN is answered by RST, "connection refused".',
  expect: { stage: 'connect', state: 'failed', target: 'address' },
  finishes: true,
  prepare: () => inWorld({}, async (w) => {
    const host = w.addr(AT.fault);
    const port = await refusedPort(host);
    w.name(PROXY_NAME, { a: [host] });
    await w.ca();
    return finish(connectRefused, {
      world: w, env: proxyEnv(w, `https://${PROXY_NAME}:${port}`), servers: {},
      expected: { stage: 'connect', state: 'failed', host: PROXY_NAME, address: hostPort(host, port) },
      notes: [`Nothing listens on ${hostPort(host, port)}.`],
    });
  }),
};

const tlsNoServerHello = tlsScenario('tls-no-serverhello', 'The GOPROXY server reads the ClientHello and never answers it: TLS handshake timeout.', 'silent');
const tlsReset = tlsScenario('tls-reset', 'The connection is reset right after the ClientHello, as SNI filters do.', 'reset');

const ipv6Blackhole: Scenario = {
  name: 'ipv6-blackhole',
  description: 'The GOPROXY name has AAAA ::1 (SYNs dropped) and A 127.x (working): go falls back to IPv4 after ~300 ms.',
  expect: { stage: 'connect', state: 'slow', target: 'address' },
  finishes: true,
  unavailable: async () => ((await ipv6LoopbackAvailable()) ? null : 'IPv6 is disabled on lo'),
  prepare: () => inWorld({}, async (w) => {
    // The black hole must use the same port on ::1 as the GOPROXY on 127.A.B.10: retry until both bind.
    for (let attempt = 0; ; attempt++) {
      const proxy = await startGoProxy({ host: w.addr(AT.goproxy), scheme: 'http', hostname: PROXY_NAME, modules: w.modules });
      try {
        const hole = await startBlackhole({ host: '::1', port: proxy.port });
        w.own(proxy);
        w.own(hole);
        w.name(PROXY_NAME, { a: [proxy.host], aaaa: ['::1'] });
        return await finish(ipv6Blackhole, {
          world: w, env: proxyEnv(w, proxy.url), servers: { goproxy: proxy, blackhole: hole },
          captureFilter: `${w.captureFilter} or (host ::1 and port ${proxy.port})`,
          expected: { stage: 'connect', state: 'slow', host: PROXY_NAME, address: hole.address },
          notes: [`SYNs to ${hole.address} go unanswered; go's dual-stack dialer falls back to ${hostPort(proxy.host, proxy.port)} after 300 ms.`],
        });
      } catch (err) {
        await proxy.close();
        if (attempt >= 10) throw err;
      }
    }
  }),
};

export const networkScenarios: readonly Scenario[] = [connectBlackhole, connectRefused, tlsNoServerHello, tlsReset, ipv6Blackhole];
