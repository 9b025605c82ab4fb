/**
 * The end-to-end suites skip themselves where go, tcpdump, strace, chromium or root are missing (a
 * contributor's laptop). Under `npm run test:full` (and so in CI) GOMOD_TRACE_REQUIRE_E2E=1 is set:
 * then a missing tool is a failure here, so no end-to-end test can be skipped unnoticed.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';

const REQUIRED = ['go', 'tcpdump', 'strace', 'git', 'chromium', 'dumpcap', 'tshark', 'curl', 'flock', 'unshare', 'openssl', 'zip', 'unzip', 'script', 'python3', 'ip', 'tc'];
const strict = process.env.GOMOD_TRACE_REQUIRE_E2E === '1';

function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).status === 0;
}

describe.skipIf(!strict)('end-to-end prerequisites (GOMOD_TRACE_REQUIRE_E2E=1)', () => {
  it('has every system tool the end-to-end tests run', () => {
    expect(REQUIRED.filter((t) => !have(t))).toEqual([]);
  });

  it('runs as root (tcpdump, port 53, mount namespaces)', () => {
    expect(process.getuid?.()).toBe(0);
  });

  it('can make a mount namespace (the lab gives go its own resolv.conf)', () => {
    const r = spawnSync('unshare', ['-m', '--', 'true'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
  });
});
