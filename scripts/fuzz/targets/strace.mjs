/** Target: loadStrace — the strace line parser, call joining, fd/process state and classification. */
import { loadStrace } from '../../../dist/strace/index.js';
import { expected, fixtureSeeds, writeInput } from './log-common.mjs';
import { enc } from '../frames.mjs';

export { expected };
export const cover = ['/dist/strace/'];
export const maxLen = 16 * 1024;
export const dictionary = [' <unfinished ...>', ' <... ', ' resumed>', ' = -1 EAGAIN (Resource temporarily unavailable)', ' = 0', '[pid  1234] ',
  'connect(3, {sa_family=AF_INET, sin_port=htons(443), sin_addr=inet_addr("127.0.0.1")}, 16', 'flock(7, LOCK_EX', '+++ exited with 0 +++',
  '--- SIGURG {si_signo=SIGURG, si_code=SI_TKILL} ---', '10:00:00.000001 ', '1700000000.123456 ', ' <0.000010>', '"\\x41\\101"', 'clone3(', 'execve('].map(enc);

export function seeds() {
  return [
    enc('1001 10:00:00.000000 execve("/usr/bin/go", ["go", "mod", "download"], 0x7ff /* 7 vars */) = 0\n' +
      '1001 10:00:00.100000 socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK, IPPROTO_IP) = 3\n' +
      '1001 10:00:00.100100 connect(3, {sa_family=AF_INET, sin_port=htons(443), sin_addr=inet_addr("10.0.0.2")}, 16) = -1 EINPROGRESS (Operation now in progress) <0.000020>\n' +
      '1002 10:00:00.200000 epoll_pwait(4,  <unfinished ...>\n' +
      '1001 10:00:00.300000 openat(AT_FDCWD, "/root/go/pkg/mod/cache/download/github.com/!foo/bar/@v/v1.0.0.lock", O_RDWR|O_CREAT|O_CLOEXEC, 0666) = 7\n' +
      '1001 10:00:00.300100 flock(7, LOCK_EX <unfinished ...>\n' +
      '1002 10:00:05.000000 <... epoll_pwait resumed>[], 128, -1, NULL, 0) = 0 <4.8>\n' +
      '1001 10:00:09.000000 +++ killed by SIGKILL +++\n'),
    ...fixtureSeeds('strace', 40, 6),
  ];
}

export async function run(b) {
  const ev = await loadStrace(writeInput(b), { date: '2026-01-02', tz: 'UTC', maxRecords: 200 });
  JSON.stringify(ev.toRecords(ev.firstTime ?? 0));
}
