import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { directRunner, withTraceFlag } from '../../src/lab/runner.js';
import type { PreparedScenario } from '../../src/lab/scenarios.js';
import { processesReferring } from './leftovers.js';
import { isUserFacing } from '../../src/cli/errors.js';

/** A stand-in for a prepared scenario: only what the runner reads. */
function fake(command: string[], dir: string): PreparedScenario {
  return { wrap: [], command, cwd: dir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LAB_TEST_DIR: dir } } as unknown as PreparedScenario;
}

function withDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'lab-runner-'));
  return fn(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
}

describe('withTraceFlag', () => {
  it('adds -x to GOFLAGS once, keeping the others', () => {
    expect(withTraceFlag({ GOFLAGS: '-modcacherw' }).GOFLAGS).toBe('-modcacherw -x');
    expect(withTraceFlag({ GOFLAGS: '-x -mod=mod' }).GOFLAGS).toBe('-x -mod=mod');
    expect(withTraceFlag({}).GOFLAGS).toBe('-x');
  });
});

describe('directRunner', () => {
  it('timestamps lines per stream and writes them in go.log format', () => withDir(async (dir) => {
    const log = join(dir, 'go.log');
    const seen: string[] = [];
    const r = await directRunner(fake(['sh', '-c', 'echo out1; echo err1 >&2; printf "partial"'], dir), { timeoutMs: 5000, logPath: log, onLine: (l) => seen.push(`${l.stream}:${l.text}`) });
    expect(r).toMatchObject({ exitCode: 0, timedOut: false });
    expect(seen.sort()).toEqual(['E:err1', 'O:out1']);
    expect(r.output).toContain('partial');
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    for (const l of lines) expect(l).toMatch(/^\d{10}\.\d{6} [OE] (out1|err1)$/);
  }));

  it('stops a command at the timeout (SIGQUIT, then KILL for the group)', () => withDir(async (dir) => {
    const t0 = Date.now();
    // This sh ignores SIGQUIT, so it takes the group SIGKILL 1.5 s later (the sleeps with it).
    const r = await directRunner(fake(['sh', '-c', 'trap "" QUIT; sleep 30 & sleep 30'], dir), { timeoutMs: 300 });
    expect(r.timedOut).toBe(true);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(processesReferring([dir])).toEqual([]);
  }));

  it('does not wait for a child that outlives the command and holds its output', () => withDir(async (dir) => {
    const t0 = Date.now();
    const r = await directRunner(fake(['sh', '-c', 'sleep 30 & echo started'], dir), { timeoutMs: 20_000 });
    expect(r).toMatchObject({ exitCode: 0, timedOut: false });
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(processesReferring([dir])).toEqual([]);
  }));

  it('an aborted signal stops it like a timeout', () => withDir(async (dir) => {
    const ac = new AbortController();
    ac.abort();
    const r = await directRunner(fake(['sleep', '30'], dir), { timeoutMs: 20_000, signal: ac.signal });
    expect(r.timedOut).toBe(true);
  }));

  it('fails clearly when the command does not exist', () => withDir(async (dir) => {
    const err = await directRunner(fake(['no-such-command-here'], dir), { timeoutMs: 5000 }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/^cannot run no-such-command-here: /);
    // A set-up problem of the machine: the CLI prints it as one line, no stack.
    expect(isUserFacing(err)).toBe(true);
  }));
});
