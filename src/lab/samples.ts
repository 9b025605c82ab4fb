/**
 * Sample bundles: each scenario recorded through `record` into `<outDir>/<scenario>/` (capture.pcap,
 * go.log, strace.log where the scenario needs it, env.json, meta.json, report.json, report.html).
 * Used by the samples script; a sample's report.json is what `analyze` says for that stall.
 */
import { rm } from 'node:fs/promises';
import { makeDirectories } from '../io/files.js';
import { join } from 'node:path';
import { recordRunner, type RecordRun } from './record-runner.js';
import { runScenario } from './runner.js';
import { SCENARIOS, findScenario } from './scenarios.js';
import { LabError } from './errors.js';

export interface SampleResult {
  name: string;
  bundleDir: string;
  /** The verdict the analysis reached, and whether it is the scenario's. */
  verdict: { stage: string; state: string; summary: string } | null;
  matches: boolean;
  skipped?: string;
}

/** How long each scenario is recorded: long enough to show the stall, short to keep samples small. */
export function sampleWindowMs(name: string): number {
  if (findScenario(name)?.finishes) return 25_000; // go ends by itself; this is only a bound
  return name === 'dns-silent' || name === 'tls-no-serverhello' ? 12_000 : 5_000;
}

export async function recordSamples(outDir: string, names: string[] = SCENARIOS.map((s) => s.name),
  log: (line: string) => void = () => undefined): Promise<SampleResult[]> {
  makeDirectories(outDir);
  const results: SampleResult[] = [];
  for (const name of names) {
    const s = findScenario(name);
    if (!s) throw new LabError(`no such lab scenario: ${name}`);
    const bundleDir = join(outDir, name);
    const why = await s.unavailable?.();
    if (why) {
      results.push({ name, bundleDir, verdict: null, matches: false, skipped: why });
      log(`${name}: skipped (${why})`);
      continue;
    }
    await rm(bundleDir, { recursive: true, force: true });
    const res = await runScenario(name, {
      runner: recordRunner({ out: bundleDir }),
      timeoutMs: sampleWindowMs(name),
      inspect: ({ scenario, result }) => {
        const v = (result as RecordRun).report?.verdict ?? null;
        const e = scenario.expected;
        const matches = v !== null && v.stage === e.stage && v.state === e.state &&
          (e.host === undefined || v.host === e.host) && (e.address === undefined || v.address === e.address) &&
          (e.path === undefined || v.path === e.path);
        return { verdict: v ? { stage: v.stage, state: v.state, summary: v.summary } : null, matches };
      },
    });
    const r = res.inspected!;
    results.push({ name, bundleDir, ...r });
    log(`${name}: ${r.verdict ? `${r.verdict.stage} / ${r.verdict.state}` : 'no verdict'}${r.matches ? '' : ' (differs from the expected verdict)'}`);
  }
  return results;
}
