/** Target: loadGoLog — go's -x log, `go mod download -json` output and SIGQUIT goroutine dumps. */
import { loadGoLog } from '../../../dist/gotool/index.js';
import { expected, fixtureSeeds, writeInput } from './log-common.mjs';
import { enc } from '../frames.mjs';

export { expected };
export const cover = ['/dist/gotool/', '/dist/strace/readlines'];
export const maxLen = 16 * 1024;
export const dictionary = ['# get https://proxy.golang.org/', ': 200 OK (0.123s)', ': 404 Not Found (0.1s)', 'go: downloading ', 'go: ', '2026/01/02 10:00:00.000001 ',
  '{"Path":"x","Version":"v1","Error":"', '"}', 'goroutine 1 [select]:', 'net/http.(*persistConn).roundTrip(', '\t/usr/local/go/src/net/http/transport.go:2652 +0x979',
  'cd /tmp', 'mkdir -p $WORK/b001/', 'dial tcp: lookup ', ': i/o timeout', 'SIGQUIT: quit'].map(enc);

export function seeds() {
  return [
    enc('go: downloading golang.org/x/mod v0.17.0\n# get https://proxy.golang.org/golang.org/x/mod/@v/v0.17.0.zip\n' +
      '# get https://proxy.golang.org/golang.org/x/mod/@v/v0.17.0.zip: 200 OK (1.5s)\n' +
      'go: golang.org/x/mod@v0.17.0: Get "https://proxy.golang.org/x": dial tcp: lookup proxy.golang.org: i/o timeout\n'),
    ...fixtureSeeds('golog', 60, 4),
  ];
}

export async function run(b) {
  const ev = await loadGoLog(writeInput(b), { maxRecords: 200 });
  JSON.stringify(ev.toRecords(ev.firstTime ?? 0));
}
