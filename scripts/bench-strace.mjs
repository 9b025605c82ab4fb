#!/usr/bin/env node
// Benchmark: loadStrace on a generated 1-million-line `strace -f -ttt -T -yy` log of a go run.
// Prints lines/second and peak RSS. Needs a build (dist/). Usage: node scripts/bench-strace.mjs [lines]
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';

const LINES = Number(process.argv[2] ?? 1_000_000);
const { loadStrace } = await import(new URL('../dist/strace/index.js', import.meta.url).href);

const dir = await mkdtemp(join(tmpdir(), 'gomod-trace-bench-'));
const file = join(dir, 'strace.log');
try {
  await generate(file, LINES);
  const size = (await stat(file)).size;
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 20);
  const t = process.hrtime.bigint();
  const ev = await loadStrace(file);
  const secs = Number(process.hrtime.bigint() - t) / 1e9;
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss);
  const r = ev.toRecords(ev.firstTime ?? 0);
  console.log(JSON.stringify({
    bench: 'strace', lines: ev.input.lines, bytes: size, seconds: +secs.toFixed(3),
    linesPerSecond: Math.round(ev.input.lines / secs), peakRssMiB: +(peak / 1048576).toFixed(1),
    kept: r.syscalls.length, processes: r.processes.length, warnings: ev.input.warnings.length,
  }));
} finally {
  await rm(dir, { recursive: true, force: true });
}

/** A go-like trace: threads in futex/epoll/nanosleep, file opens, reads, a connect, locks, now and then a slow call. */
async function generate(path, n) {
  const out = createWriteStream(path);
  let t = 1764045000.0;
  const pids = [4100, 4101, 4102, 4103, 4104];
  for (let i = 0; i < n; i++) {
    t += 0.00001;
    const pid = pids[i % pids.length];
    const ts = t.toFixed(6);
    let line;
    switch (i % 10) {
      case 0: line = `${pid}  ${ts} openat(AT_FDCWD</home/u/p>, "/home/u/go/pkg/mod/cache/download/github.com/!azure/x/@v/v1.${i}.0.mod", O_RDONLY|O_CLOEXEC) = 7</home/u/go/pkg/mod/cache/download/github.com/!azure/x/@v/v1.${i}.0.mod> <0.000021>`; break;
      case 1: line = `${pid}  ${ts} read(7</home/u/go/pkg/mod/cache/download/github.com/!azure/x/@v/v1.${i - 1}.0.mod>, "module github.com/Azure/x\\n\\ngo 1.19\\n", 512) = 36 <0.000012>`; break;
      case 2: line = `${pid}  ${ts} close(7</home/u/go/pkg/mod/cache/download/github.com/!azure/x/@v/v1.${i - 2}.0.mod>) = 0 <0.000008>`; break;
      case 3: line = `${pid}  ${ts} futex(0xc000080148, FUTEX_WAIT_PRIVATE, 0, NULL <unfinished ...>`; break;
      case 4: line = `${pids[(i - 1) % pids.length]}  ${ts} <... futex resumed>) = 0 <0.000040>`; break;
      case 5: line = `${pid}  ${ts} epoll_pwait(4<anon_inode:[eventpoll]>, [], 128, 0, NULL, 0) = 0 <0.000006>`; break;
      case 6: line = `${pid}  ${ts} nanosleep({tv_sec=0, tv_nsec=20000}, NULL) = 0 <0.000080>`; break;
      case 7: line = `${pid}  ${ts} --- SIGURG {si_signo=SIGURG, si_code=SI_TKILL, si_pid=4100, si_uid=1000} ---`; break;
      case 8: line = i % 1000 === 8
        ? `${pid}  ${ts} connect(9<TCP:[1234567]>, {sa_family=AF_INET, sin_port=htons(443), sin_addr=inet_addr("142.250.1.${i % 250}")}, 16) = -1 EINPROGRESS (Operation now in progress) <0.000050>`
        : `${pid}  ${ts} newfstatat(AT_FDCWD</home/u/p>, "/home/u/go/pkg/mod/cache/download/github.com/!azure/x/@v/list", {st_mode=S_IFREG|0644, st_size=7, ...}, 0) = 0 <0.000010>`; break;
      default: line = i % 5000 === 9
        ? `${pid}  ${ts} epoll_pwait(4<anon_inode:[eventpoll]>, [{events=EPOLLIN, data={u32=1, u64=1}}], 128, -1, NULL, 0) = 1 <0.700000>`
        : `${pid}  ${ts} write(2<pipe:[55]>, "# get https://proxy.golang.org/github.com/x/y/@v/v1.0.0.mod\\n", 59) = 59 <0.000009>`;
    }
    if (!out.write(line + '\n')) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}
