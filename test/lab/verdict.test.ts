/**
 * The lab's promise, end to end: every scenario recorded through the real `record` (tcpdump on lo
 * with the scenario's filter, strace where the evidence is in syscalls) and analysed by the real
 * pipeline must produce the scenario's verdict — stage, state and target (host / address / path).
 * Needs root, go, tcpdump, strace.
 *
 * KNOWN_GAPS lists scenarios whose verdict the analyzer does not reach yet (none at the moment). For those the test still needs a complete bundle and a verdict
 * about the scenario's host, and it prints whether the gap is still open or now fixed (then the
 * entry should go); every other scenario must match exactly.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { runScenario } from '../../src/lab/runner.js';
import { recordRunner, type RecordRun } from '../../src/lab/record-runner.js';
import { SCENARIOS } from '../../src/lab/scenarios.js';
import { processesReferring } from './leftovers.js';
import { canIsolate } from '../../src/lab/isolate.js';

// Root, and a private mount namespace (not every container allows one): the lab's own preconditions.
const root = typeof process.getuid === 'function' && process.getuid() === 0 && (await canIsolate()).ok;
const haveTools = ['go', 'tcpdump', 'strace'].every((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status === 0);

const KNOWN_GAPS: Record<string, string> = {
  // e.g. 'dns-silent': 'analyzer says connect/stalled: unanswered DNS queries are not taken as the stall',
  // (all seven gaps found while building the lab were fixed by the analyzer within the hour)
};

/**
 * At most this many recordings at once: each runs tcpdump, go and maybe strace, and on 2 cores a
 * loaded tcpdump loses packets (kernel drops, and packets still in its ring when record stops it
 * right after go exits), which changes the verdict. For the same reason a mismatch is retried once.
 */
const PARALLEL = 3;
let running = 0;
const waiting: (() => void)[] = [];
async function slot<T>(fn: () => Promise<T>): Promise<T> {
  while (running >= PARALLEL) await new Promise<void>((r) => waiting.push(r));
  running++;
  try {
    return await fn();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

/**
 * Verdicts the analyzer gives instead of the expected one when the machine is loaded (seen on 2
 * busy cores, never when the scenario runs alone): accepted as long as they name the same host.
 */
const UNDER_LOAD: Record<string, { stage: string; state: string; why: string }> = {
  'git-silent': { stage: 'transfer', state: 'slow', why: 'TLS handshake bytes arriving in pieces read as a trickling body' },
};

/** Stalls: long enough to show, short enough for the suite. Scenarios that finish: time to finish. */
const windowFor = (name: string) => (SCENARIOS.find((s) => s.name === name)?.finishes ? 25_000 : 4_000);

const dirs: string[] = [];
afterAll(() => {
  // record stopped go, git, the askpass helper, strace and tcpdump; the lab stopped its servers.
  expect(processesReferring(dirs)).toEqual([]);
  for (const d of dirs) expect(existsSync(d)).toBe(false);
});

describe.skipIf(!root || !haveTools).concurrent('verdicts of recorded lab scenarios (needs root, go, tcpdump, strace)', () => {
  for (const s of SCENARIOS) {
    const gap = KNOWN_GAPS[s.name];
    it(`${s.name}: ${s.expect.stage} / ${s.expect.state}${gap ? ' (known gap)' : ''}`, { retry: gap ? 0 : 1, timeout: 2 * (windowFor(s.name) + 30_000) }, async () => {
      if (await s.unavailable?.()) return;
      await slot(() => runScenario(s.name, {
        runner: recordRunner(),
        timeoutMs: windowFor(s.name),
        inspect: ({ scenario, result }) => {
          dirs.push(scenario.world.dir);
          const run = result as RecordRun;
          // The bundle is complete whatever the verdict.
          for (const f of ['capture.pcap', 'go.log', 'meta.json', 'env.json', 'report.json']) {
            expect(existsSync(join(run.bundleDir, f)), f).toBe(true);
          }
          expect(run.timedOut).toBe(!scenario.finishes);
          const v = run.report?.verdict;
          expect(v, `no report: ${JSON.stringify(run.record.analysis?.warnings)}`).toBeTruthy();
          const e = scenario.expected;
          const keep = process.env.GOMOD_TRACE_KEEP_FAILED;
          if (keep && (v?.stage !== e.stage || v?.state !== e.state)) {
            // Keep the bundle of a mismatch for a look (the world folder is removed after the test).
            cpSync(run.bundleDir, join(keep, `${s.name}-${Date.now()}`), { recursive: true });
          }
          const got = { stage: v!.stage, state: v!.state, ...(e.host !== undefined && { host: v!.host }), ...(e.address !== undefined && { address: v!.address }), ...(e.path !== undefined && { path: v!.path }) };
          if (gap) {
            const fixed = JSON.stringify(got) === JSON.stringify(e);
            console.info(`verdict ${s.name}: ${fixed ? 'known gap now FIXED: remove it from KNOWN_GAPS' : `known gap still open (${gap}); got ${JSON.stringify(got)}`}`);
            if (e.host !== undefined) expect(v!.host, v!.summary).toBe(e.host);
            return;
          }
          const alt = UNDER_LOAD[s.name];
          if (alt && got.stage === alt.stage && got.state === alt.state) {
            // The documented alternative the analyzer gives on a loaded machine: still about this host.
            expect(v!.host, v!.summary).toBe(e.host);
            return;
          }
          expect(got, v!.summary).toEqual(e);
        },
      }));
    });
  }
});
