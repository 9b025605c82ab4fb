/**
 * The CLI's output cannot be written: stdout on a full disk (/dev/full), `-o` on one, or a pipe
 * whose reader has gone. Runs bin/gomod-trace (npm run build first).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/gomod-trace', import.meta.url));
const SAMPLE = fileURLToPath(new URL('../../samples/healthy', import.meta.url));
const FULL = "gomod-trace: cannot write standard output: no space left on device\n";

interface Run { status: number | null; stderr: string }

/** Run the CLI with stdin closed, stdout as given and stderr collected. */
function run(args: string[], stdout: 'ignore' | 'pipe' | number, whileRunning?: (child: ChildProcess) => void): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, args, { stdio: ['ignore', stdout, 'pipe'], env: { ...process.env, GOMOD_TRACE_CACHE_DIR: join(dir, 'cache') } });
    whileRunning?.(child);
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (s: string) => { stderr += s; });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stderr }));
  });
}

/** Run the CLI with stdout on /dev/full. */
async function toFullDisk(args: string[]): Promise<Run> {
  const fd = openSync('/dev/full', 'w');
  try {
    return await run(args, fd);
  } finally {
    closeSync(fd);
  }
}

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'gomod-trace-output-')); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('stdout on a full disk: one line on stderr, exit 2', () => {
  const commands: string[][] = [
    ['analyze', SAMPLE],
    ['analyze', SAMPLE, '--format', 'json'],
    ['analyze', SAMPLE, '--format', 'md'],
    ['analyze', join(SAMPLE, 'capture.pcap'), '--summary'],
    ['lab', 'list'],
    ['doctor', '--no-probe'],
    ['--help'],
    ['--version'],
  ];
  it.each(commands.map((args) => [args.join(' ').replace(SAMPLE, 'samples/healthy'), args]))('%s', async (_name, args) => {
    const r = await toFullDisk(args as string[]);
    expect(r.stderr).toBe(FULL);
    expect(r.status).toBe(2);
  });

  it('redact: the copy is written, the line saying so is not', async () => {
    const r = await toFullDisk(['redact', join(SAMPLE, 'capture.pcap'), '-o', join(dir, 'shared.pcap')]);
    expect(r.stderr).toBe(FULL);
    expect(r.status).toBe(2);
  });

  it('a run that failed already keeps its own error and status, without a second line for the empty flush', async () => {
    const r = await toFullDisk(['analyze', join(dir, 'missing.pcap')]);
    expect(r.stderr).toBe(`gomod-trace: ${join(dir, 'missing.pcap')}: no such file or directory\n`);
    expect(r.status).toBe(2);
  });
});

it('stderr on a full disk: nowhere to say anything, and no crash either', async () => {
  const fd = openSync('/dev/full', 'w');
  try {
    const r = spawnSync(BIN, ['lab', 'no-such-scenario'], { stdio: ['ignore', 'ignore', fd] });
    expect(r.status).toBe(2);
  } finally {
    closeSync(fd);
  }
});

describe('-o on a full disk', () => {
  it.each([['table'], ['json']])('--format %s: names the file and says why, exit 2', async (format) => {
    const r = await run(['analyze', SAMPLE, '--format', format, '-o', '/dev/full'], 'ignore');
    expect(r.stderr).toBe('gomod-trace: cannot write /dev/full: no space left on device\n');
    expect(r.status).toBe(2);
  });
});

describe('stdout a pipe its reader closed (`| head -1`)', () => {
  const commands: string[][] = [
    ['analyze', SAMPLE, '--format', 'json'],
    ['lab', 'list'],
    ['--help'],
  ];
  it.each(commands.map((args) => [args.join(' ').replace(SAMPLE, 'samples/healthy'), args]))('%s: nothing said, exit 0', async (_name, args) => {
    // The reader is gone before node has started.
    const r = await run(args as string[], 'pipe', (child) => child.stdout!.destroy());
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
