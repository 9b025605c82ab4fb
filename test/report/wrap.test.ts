import { describe, expect, it } from 'vitest';
import { GLUE, displayWidth, wrap } from '../../src/report/wrap.js';
import { visible } from '../../src/report/escape.js';

/** A backslash that does not start a whole escape: one cut in two by a line break. */
const BROKEN_ESCAPE = /\\(?!x[0-9a-f]{2}|u\{[0-9a-f]+\})/;

describe('wrap', () => {
  it('keeps lines within the width and indents continuation lines', () => {
    const lines = wrap('alpha beta gamma delta epsilon zeta eta theta', 20, '  ');
    expect(lines.length).toBeGreaterThan(1);
    for (const l of lines) expect(displayWidth(l)).toBeLessThanOrEqual(20);
    expect(lines.slice(1).every((l) => l.startsWith('  '))).toBe(true);
    expect(lines.join(' ').replace(/\s+/g, ' ')).toBe('alpha beta gamma delta epsilon zeta eta theta');
  });

  it('never leaves a unit alone on a line ("5.2 s.")', () => {
    const text = 'goproxy.lab.example accepted the request but sent no response for 5.2 s.';
    for (let width = 12; width <= text.length; width++) {
      const lines = wrap(text, width);
      for (const l of lines) expect(l.trim()).not.toMatch(/^s\.$/);
      expect(lines.join(' ')).toContain('5.2 s.');
    }
  });

  it('keeps a number with its Chinese unit, and starts no line with closing punctuation, at any width', () => {
    const text = 'go 在等待模块缓存锁（lab.example/greet@v1.2.0）/tmp/gopath/pkg/mod/cache/download/lab.example/greet/@v/v1.2.0.lock 已 5.2 秒：另一个进程持有该锁。（共 2 次）';
    const zh = '从 goproxy.lab.example 的下载很慢：5.0 秒后收到 35467 字节中的 4000 字节，仍在继续，已等待 120 毫秒，共重传 12 次，其他连接仍然正常，下载停在这里。';
    for (const t of [text, zh]) {
      // From 14 columns on ("4000 字节，" is 11 wide, after a 2-column indent).
      for (let width = 14; width <= 120; width++) {
        const lines = wrap(t, width, '  ');
        for (const l of lines) {
          expect(displayWidth(l), `${width}: ${l}`).toBeLessThanOrEqual(width);
          expect(l.trim(), `${width}`).not.toMatch(/^[：，。；、）]|^(?:毫秒|秒|次|字节)/);
        }
        for (const [m] of t.matchAll(/\d+(?:\.\d+)? ?(?:毫秒|秒|次|字节)/g)) expect(lines.some((l) => l.includes(m)), `${width}: ${m}`).toBe(true);
        expect(lines.map((l, i) => (i ? l.slice(2) : l)).join('').replaceAll(' ', '')).toBe(t.replaceAll(' ', ''));
      }
    }
  });

  it('does not break at GLUE, and prints it as a plain space', () => {
    const text = ['host', 'example.com', '·', `waited${GLUE}5.17s`, '·', `confidence${GLUE}0.95`].join(' ');
    for (let width = 15; width <= 50; width++) {
      const lines = wrap(text, width);
      const all = lines.join('\n');
      expect(all).not.toContain(GLUE);
      expect(all).toContain('confidence 0.95');
      expect(all).toContain('waited 5.17s');
    }
  });

  it('counts CJK as two columns', () => {
    const lines = wrap('模块缓存锁被另一个进程持有'.repeat(3), 20);
    for (const l of lines) expect(displayWidth(l)).toBeLessThanOrEqual(20);
  });

  it('never cuts an escape (\\x1b, \\u{202e}) across lines, at any offset and width', () => {
    // A DNS name of controls, bidi and zero-width characters, as visible() shows it.
    const name = visible('evil' + '\u202e\u001b\u200b\u0085\u2066\u0000'.repeat(8) + '.example');
    for (let offset = 0; offset < 10; offset++) {
      const text = `lookup ${'a'.repeat(offset)}${name} failed`;
      for (let width = 12; width <= 60; width++) {
        const lines = wrap(text, width, '  ');
        for (const l of lines) {
          expect(displayWidth(l), `${offset}/${width}: ${l}`).toBeLessThanOrEqual(width);
          expect(l, `${offset}/${width}`).not.toMatch(BROKEN_ESCAPE);
        }
        // Nothing lost or changed: only line breaks (and the indents after them) were added.
        expect(lines.map((l, i) => (i ? l.slice(2) : l)).join('').replaceAll(' ', '')).toBe(text.replaceAll(' ', ''));
      }
    }
  });
});
