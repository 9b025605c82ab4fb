/**
 * Scenarios with no network stall: a module cache lock held by another process, git (GOPRIVATE)
 * prompting for credentials or waiting on a silent host, and go failing on its own input.
 */
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hostPort } from '../address.js';
import { holdLock } from '../faults.js';
import { startGitServer } from '../gitserver.js';
import { escapeModulePath } from '../modules.js';
import type { Scenario } from './types.js';
import type { World } from '../world.js';
import { AT, GREET, REQUIRES, finish, inWorld, labProxy, proxyEnv } from './common.js';

const cacheLock: Scenario = {
  name: 'cache-lock',
  description: 'Another process holds the module cache lock for one module version (flock).',
  expect: { stage: 'cache-lock', state: 'stalled', target: 'path' },
  finishes: false,
  needsStrace: true,
  prepare: () => inWorld({}, async (w) => {
    const proxy = await labProxy(w, 'http');
    const lockPath = join(w.gomodcache, 'cache', 'download', escapeModulePath(GREET), '@v', 'v1.2.0.lock');
    const lock = w.own(await holdLock(lockPath));
    return finish(cacheLock, {
      world: w, env: proxyEnv(w, proxy.url), servers: { goproxy: proxy, lock },
      expected: { stage: 'cache-lock', state: 'stalled', path: lockPath },
      notes: [`pid ${lock.pid} (flock) holds ${lockPath}; go blocks in flock(LOCK_EX) on it with no network traffic.`],
    });
  }),
};

const GIT_HOST = 'git.lab.example';
const PRIVATE_MOD = `${GIT_HOST}/team/private`;

/**
 * The lab git host in `w`, and a credential prompt that never returns (GIT_ASKPASS), as a GUI
 * askpass or a terminal nobody watches would. The prompt records that git asked (and its pid, so
 * cleanup can end it even if a runner forgot).
 */
async function gitWithPrompt(w: World) {
  const ca = await w.ca();
  const host = w.addr(AT.git);
  const git = w.own(await startGitServer({ host, hostname: GIT_HOST, tls: await ca.issue([GIT_HOST], [host]) }));
  w.name(GIT_HOST, { a: [host] });
  const askpass = join(w.dir, 'askpass.sh');
  const marker = join(w.dir, 'askpass.asked');
  await writeFile(askpass, `#!/bin/sh\necho "$$ $1" >> '${marker}'\nexec sleep 600\n`);
  await chmod(askpass, 0o755);
  return {
    git, marker,
    env: { GIT_ASKPASS: askpass, GIT_SSL_CAINFO: ca.caCertPath },
    async cleanup() {
      const text = await readFile(marker, 'utf8').catch(() => '');
      for (const line of text.split('\n')) {
        const pid = Number(line.split(' ')[0]);
        if (pid > 1) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
      }
    },
  };
}

const gitPrompt: Scenario = {
  name: 'git-prompt',
  tools: ['git'],
  description: 'A GOPRIVATE module is fetched directly with git; the server asks for credentials and the prompt never returns.',
  expect: { stage: 'git-prompt', state: 'stalled', target: 'host' },
  finishes: false,
  needsStrace: true,
  prepare: () => inWorld({}, async (w) => {
    const g = await gitWithPrompt(w);
    return finish(gitPrompt, {
      world: w, goSum: false,
      requires: [{ path: PRIVATE_MOD, version: 'v1.0.0' }],
      env: proxyEnv(w, 'off', { GOPRIVATE: GIT_HOST, ...g.env }),
      servers: { git: g.git, askpassMarker: g.marker },
      expected: { stage: 'git-prompt', state: 'stalled', host: GIT_HOST },
      notes: [`https://${PRIVATE_MOD}.git answers 401; git runs GIT_ASKPASS, which waits forever (as an unanswered prompt does).`],
      extraCleanup: g.cleanup,
    });
  }),
};

const goprivateMissing: Scenario = {
  name: 'goprivate-missing',
  tools: ['git'],
  description: 'A private module without GOPRIVATE: the GOPROXY answers 404, go falls back to direct git, and the credential prompt never returns.',
  expect: { stage: 'git-prompt', state: 'stalled', target: 'host' },
  finishes: false,
  needsStrace: true,
  prepare: () => inWorld({}, async (w) => {
    const g = await gitWithPrompt(w);
    const proxy = await labProxy(w, 'http');
    return finish(goprivateMissing, {
      world: w, goSum: false,
      requires: [{ path: PRIVATE_MOD, version: 'v1.0.0' }],
      env: proxyEnv(w, `${proxy.url},direct`, g.env),
      servers: { goproxy: proxy, git: g.git, askpassMarker: g.marker },
      expected: { stage: 'git-prompt', state: 'stalled', host: GIT_HOST },
      notes: [`GOPROXY=${proxy.url},direct and no GOPRIVATE: the proxy has no ${PRIVATE_MOD} (404), so go asks git, which prompts.`],
      extraCleanup: g.cleanup,
    });
  }),
};

const gitSilent: Scenario = {
  name: 'git-silent',
  tools: ['git'],
  description: 'A GOPRIVATE module is fetched directly with git; the git server accepts the request and never answers.',
  expect: { stage: 'proxy-response', state: 'stalled', target: 'host' },
  finishes: false,
  prepare: () => inWorld({}, async (w) => {
    const hostname = GIT_HOST;
    const ca = await w.ca();
    const host = w.addr(AT.git);
    const git = w.own(await startGitServer({ host, hostname, tls: await ca.issue([hostname], [host]), mode: 'silent' }));
    w.name(hostname, { a: [host] });
    const mod = PRIVATE_MOD;
    return finish(gitSilent, {
      world: w, goSum: false,
      requires: [{ path: mod, version: 'v1.0.0' }],
      env: proxyEnv(w, 'off', { GOPRIVATE: hostname, GIT_SSL_CAINFO: ca.caCertPath }),
      servers: { git },
      expected: { stage: 'proxy-response', state: 'stalled', host: hostname, address: hostPort(host, git.port) },
      notes: [`https://${mod}.git/info/refs is accepted and never answered: \`git ls-remote\` waits.`],
    });
  }),
};

/** A module path go refuses to parse (a trailing dot in a path element, seed document's first cause). */
const MALFORMED = `${GREET}.`;

const modulePathMalformed: Scenario = {
  name: 'module-path-malformed',
  description: 'go.mod requires a module whose path go rejects (a trailing dot): go fails on its own input; the network is fine.',
  expect: { stage: 'unknown', state: 'failed', target: 'none' },
  finishes: true,
  prepare: () => inWorld({}, async (w) => {
    const proxy = await labProxy(w, 'https');
    return finish(modulePathMalformed, {
      world: w, env: proxyEnv(w, proxy.url), servers: { goproxy: proxy },
      // No go.sum: there is no such module to sum.
      requires: [...REQUIRES, { path: MALFORMED, version: 'v1.0.0' }], goSum: false,
      expected: { stage: 'unknown', state: 'failed' },
      notes: [`go.mod requires ${MALFORMED} v1.0.0: go fetches the other modules' .mod files, then reports a malformed module path and exits 1.`],
    });
  }),
};

export const localScenarios: readonly Scenario[] = [cacheLock, gitPrompt, goprivateMissing, gitSilent, modulePathMalformed];
