/**
 * Tiny fake go / tcpdump / strace executables put first on PATH, for testing record's
 * orchestration without the real tools. Each fake appends what happens to it to $FAKE_EVENTS
 * ("go:start", "go:quit", "tcpdump:int" …) and carries $FAKE_MARKER in its environment so a test
 * can find anything left running.
 */
import { mkdtempSync, writeFileSync, chmodSync, readFileSync, existsSync, rmSync, mkdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { pidsWithMarker } from '../../src/record/proctree.js';

const GO = String.raw`#!/bin/sh
ev() { echo "$1 $(date +%s.%N)" >> "$FAKE_EVENTS"; }
case "$1" in
  version) echo "go version go1.99.1 linux/amd64"; exit 0 ;;
  env) if [ -n "$FAKE_GO_ENV_SLEEP" ]; then ev go:env; sleep "$FAKE_GO_ENV_SLEEP"; fi
       printf '{"GOPROXY":"%s","GOFLAGS":"%s","GOMODCACHE":"/tmp/x"}\n' "${"${GOPROXY:-https://proxy.golang.org,direct}"}" "$GOFLAGS"; exit 0 ;;
esac
# SIGQUIT handlers before "go:start": a test that sees go started may have go stopped at once (real
# go installs its handler as it starts, before any output).
case "${"${FAKE_GO_MODE:-ok}"}" in
  hang) trap 'ev go:quit; echo "SIGQUIT: quit" >&2; echo "goroutine 1 [select]:" >&2; exit 2' QUIT ;;
  ignorequit) trap 'ev go:quit-ignored' QUIT ;;
  ticking) trap 'ev go:quit; echo "goroutine 1 [running]:" >&2; exit 2' QUIT ;;
esac
ev go:start
ev "go:uid=$(id -u):home=$HOME"
ev "go:extra-ca=${"${NODE_EXTRA_CA_CERTS-unset}"}:handed=${"${GOMOD_TRACE_NODE_EXTRA_CA_CERTS-unset}"}"
echo "GOFLAGS=$GOFLAGS"
echo "# get https://proxy.example/m/@v/list" >&2
case "${"${FAKE_GO_MODE:-ok}"}" in
  ok)
    echo "# get https://proxy.example/m/@v/list: 200 OK (0.001s)" >&2
    ev go:exit; exit 0 ;;
  exit3) ev go:exit; exit 3 ;;
  selfkill) kill -9 $$ ;;
  hang|ignorequit)
    sleep 1000 &
    while true; do wait; done ;;
  ticking)
    while true; do echo "# get https://proxy.example/tick" >&2; sleep 0.2; done ;;
esac
`;

const TCPDUMP = String.raw`#!/bin/sh
ev() { echo "$1 $(date +%s.%N)" >> "$FAKE_EVENTS"; }
case "$1" in --version) echo "tcpdump version 9.9.9"; echo "libpcap version 1.10.3"; exit 0 ;; esac
file=""
while [ $# -gt 0 ]; do case "$1" in -w) file="$2"; shift ;; esac; shift; done
case "${"${FAKE_TCPDUMP_MODE:-ok}"}" in
  perm) echo "tcpdump: any: You don't have permission to perform this capture on that device" >&2
        echo "(socket: Operation not permitted)" >&2; exit 1 ;;
  silent) sleep 1000 & wait ;;
esac
ev tcpdump:start
if [ "$FAKE_TCPDUMP_MODE" = die ]; then
  printf '\324\303\262\241\002\000\004\000\000\000\000\000\000\000\000\000\000\000\004\000\024\001\000\000' > "$file"
  echo "tcpdump: listening on any, link-type LINUX_SLL2 (Linux cooked v2), snapshot length 262144 bytes" >&2
  sleep 0.3; echo "tcpdump: pcap_loop: The interface disappeared" >&2; exit 1
fi
# pcap header: magic, v2.4, snaplen 262144, LINKTYPE_LINUX_SLL2 (276)
printf '\324\303\262\241\002\000\004\000\000\000\000\000\000\000\000\000\000\000\004\000\024\001\000\000' > "$file"
sleep 1000 &
child=$!
# FAKE_TCPDUMP_INT_PARENT=N: once stopped, N SIGINTs to record (a Ctrl-C after go has exited).
trap 'ev tcpdump:int; for i in $(seq "${"${FAKE_TCPDUMP_INT_PARENT:-0}"}"); do kill -INT $PPID; sleep 0.3; done; kill $child; echo "7 packets captured" >&2; echo "9 packets received by filter" >&2; echo "1 packet dropped by kernel" >&2; exit 0' INT TERM
echo "tcpdump: listening on any, link-type LINUX_SLL2 (Linux cooked v2), snapshot length 262144 bytes" >&2
while true; do wait; done
`;

const STRACE = String.raw`#!/bin/sh
case "$1" in -V) echo "strace -- version 6.1"; exit 0 ;; esac
if [ "$FAKE_STRACE_MODE" = fail ]; then echo "strace: test_ptrace_get_syscall_info: PTRACE_TRACEME: Operation not permitted" >&2; exit 1; fi
out=""
while [ $# -gt 0 ]; do case "$1" in -o) out="$2"; shift ;; --) shift; break ;; esac; shift; done
echo "1 1764045000.000000 execve(\"$1\") = 0 <0.000100>" > "$out"
"$@"
`;

export interface Fakes {
  dir: string;
  marker: string;
  events: string;
  env: NodeJS.ProcessEnv;
  readEvents(): string[];
  leftovers(): number[];
  cleanup(): void;
}

export function makeFakes(tools: Array<'go' | 'tcpdump' | 'strace'> = ['go', 'tcpdump', 'strace']): Fakes {
  const marker = `gomodtrace-fake-${randomUUID()}`;
  const dir = mkdtempSync(join(tmpdir(), `${marker}-`));
  const scripts = { go: GO, tcpdump: TCPDUMP, strace: STRACE };
  for (const t of tools) {
    writeFileSync(join(dir, t), scripts[t]);
    chmodSync(join(dir, t), 0o755);
  }
  // A PATH with the fakes and the few utilities they use, and nothing else.
  mkdirSync(join(dir, 'sys'));
  for (const u of ['sh', 'date', 'sleep', 'cat', 'printf', 'id', 'seq']) {
    const real = ['/usr/bin', '/bin'].map((d) => join(d, u)).find((p) => existsSync(p));
    if (real) symlinkSync(real, join(dir, 'sys', u));
  }
  const events = join(dir, 'events.log');
  const env: NodeJS.ProcessEnv = {
    PATH: `${dir}:${join(dir, 'sys')}`,
    HOME: dir,
    FAKE_MARKER: marker,
    FAKE_EVENTS: events,
  };
  return {
    dir,
    marker,
    events,
    env,
    readEvents: () => (existsSync(events) ? readFileSync(events, 'utf8').trim().split('\n').filter(Boolean).map((l) => l.split(' ')[0]) : []),
    leftovers: () => pidsWithMarker(marker),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Wait until `cond` holds (polling), or fail after `ms`. */
export async function eventually(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  if (!cond()) throw new Error(`condition not met within ${ms} ms`);
}
