// A user who swaps --strace and --go-log gets a one-line error for each, naming file and line.
import { describe, it, expect } from 'vitest';
import { fileURLToPath } from 'node:url';
import { loadGoLog, GoLogFormatError } from '../../src/gotool/index.js';
import { loadStrace, StraceFormatError } from '../../src/strace/index.js';

const fx = (p: string) => fileURLToPath(new URL(`../fixtures/${p}`, import.meta.url));

describe('swapped inputs', () => {
  it('a strace log given as the go log', async () => {
    const f = fx('strace/real/strace6.1-go1.19-lock-ttt-y.log');
    const err = await loadGoLog(f).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GoLogFormatError);
    expect((err as Error).message).toMatch(new RegExp(`^${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: line 1: not a go log: no line looks like go output \\(first: "1001  1764045000\\.000000 execve`));
  });
  it('a go log given as the strace log', async () => {
    for (const p of ['golog/x-https-mixed.log', 'golog/sigquit-lock-go1.19.txt']) {
      const err = await loadStrace(fx(p)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StraceFormatError);
      expect((err as Error).message).toMatch(/: line 1: not a strace log/);
    }
  });
});
