/** Scenarios about the checksum database (GOSUMDB): working, slow, silent. */
import { hostPort } from '../address.js';
import { startGoProxy } from '../goproxy.js';
import { generateSumdbKey, gosumdbValue } from '../sumdb.js';
import { startSumdbServer } from '../sumdbserver.js';
import type { Scenario } from './types.js';
import { AT, finish, inWorld, labProxy, proxyEnv } from './common.js';

const healthySumdb: Scenario = {
  name: 'healthy-sumdb',
  description: 'No go.sum: go verifies every module with a lab checksum database (signed tree, tiles); go finishes.',
  expect: { stage: 'none', state: 'ok', target: 'none' },
  finishes: true,
  prepare: () => inWorld({}, async (w) => {
    const proxy = await labProxy(w, 'http');
    const name = 'sum.lab.example';
    const sumdb = w.own(await startSumdbServer({ host: w.addr(AT.sumdb), name, modules: w.modules }));
    w.name(name, { a: [sumdb.host] });
    return finish(healthySumdb, {
      world: w, goSum: false,
      env: proxyEnv(w, proxy.url, { GOSUMDB: sumdb.gosumdb }),
      servers: { goproxy: proxy, sumdb },
      expected: { stage: 'none', state: 'ok' },
      notes: [`GOSUMDB="${name}+… ${sumdb.url}": go looks every module up and checks the signed tree and its tiles.`],
    });
  }),
};

const sumdbSlow: Scenario = {
  name: 'sumdb-slow',
  description: 'The lab checksum database answers each lookup after 6 s; go finishes.',
  expect: { stage: 'checksum-db', state: 'slow', target: 'host' },
  finishes: true,
  prepare: () => inWorld({}, async (w) => {
    const proxy = await labProxy(w, 'http');
    const name = 'sum.lab.example';
    const sumdb = w.own(await startSumdbServer({ host: w.addr(AT.sumdb), name, modules: w.modules, faults: [{ kind: 'delay', match: '/lookup/', ms: 6000 }] }));
    w.name(name, { a: [sumdb.host] });
    return finish(sumdbSlow, {
      world: w, goSum: false,
      env: proxyEnv(w, proxy.url, { GOSUMDB: sumdb.gosumdb }),
      servers: { goproxy: proxy, sumdb },
      expected: { stage: 'checksum-db', state: 'slow', host: name, address: hostPort(sumdb.host, sumdb.port) },
      notes: [`${sumdb.url}/lookup/… waits 6 s before answering.`],
    });
  }),
};

const sumdbSilent: Scenario = {
  name: 'sumdb-silent',
  description: 'GOSUMDB points at a lab checksum database that never answers; the GOPROXY is fine.',
  expect: { stage: 'checksum-db', state: 'stalled', target: 'host' },
  finishes: false,
  prepare: () => inWorld({}, async (w) => {
    const proxy = await labProxy(w, 'http');
    const name = 'sum.lab.example';
    const sumdb = w.own(await startGoProxy({ host: w.addr(AT.sumdb), scheme: 'http', hostname: name, faults: [{ kind: 'silent', match: /^\// }] }));
    w.name(name, { a: [sumdb.host] });
    const key = generateSumdbKey(name);
    return finish(sumdbSilent, {
      world: w, goSum: false,
      env: proxyEnv(w, proxy.url, { GOSUMDB: gosumdbValue(key, sumdb.url) }),
      servers: { goproxy: proxy, sumdb },
      expected: { stage: 'checksum-db', state: 'stalled', host: name, address: hostPort(sumdb.host, sumdb.port) },
      notes: [`GOSUMDB="${key.name}+… ${sumdb.url}": go fetches go.mod files from the GOPROXY, then asks ${sumdb.url}/lookup/…, which never answers.`],
    });
  }),
};

export const sumdbScenarios: readonly Scenario[] = [healthySumdb, sumdbSlow, sumdbSilent];
