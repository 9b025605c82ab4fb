import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/gomod-trace', import.meta.url));
const SAMPLE = fileURLToPath(new URL('../../samples/sumdb-silent', import.meta.url));

describe('analyze shows the user\'s go settings from a bundle', () => {
  it('json has them in `environment`; the table under the verdict', () => {
    const json = spawnSync(BIN, ['analyze', SAMPLE, '--format', 'json'], { encoding: 'utf8' });
    expect(json.status).toBe(0);
    const env = JSON.parse(json.stdout).environment;
    expect(env.goVersion).toBe('go1.19.8');
    expect(env.command).toEqual(['go', 'mod', 'download']);
    expect(env.settings.GOPROXY).toBe('http://goproxy.lab.example:39787');
    const text = spawnSync(BIN, ['analyze', SAMPLE], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(text.stdout.replace(/\s+/g, ' ')).toContain(' confidence 0.95 go1.19.8 · go mod download · GOPROXY=http://goproxy.lab.example:39787 · GOSUMDB=sum.lab.example http://sum.lab.example:36263 · GOFLAGS=-modcacherw ┌');
  });
});
