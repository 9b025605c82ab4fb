/** Target: a TlsSession fed both directions of a connection in arbitrary chunks, with gaps and FINs. */
import { AnomalySink } from '../../../dist/flow/anomalies.js';
import { TlsSession } from '../../../dist/protocols/tls.js';
import * as f from '../frames.mjs';
import { feed } from './stream-common.mjs';

export const cover = ['/dist/protocols/tls'];
export const maxLen = 8192;
export const dictionary = [[0x16, 3, 1], [0x16, 3, 3], [0x17, 3, 3], [0x15, 3, 3], [0x14, 3, 3, 0, 1, 1], [1, 0, 0], [2, 0, 0], [4, 0, 0]].map((a) => Uint8Array.from(a));

export function expected() {
  return false;
}

export function seeds() {
  const ch = f.clientHelloRecord(), sh = f.serverHelloRecord();
  return [
    f.chunks([{ data: ch }, { server: true, data: f.cat(sh, f.changeCipherSpec(), f.appData(40)) }, { data: f.cat(f.changeCipherSpec(), f.appData(60)) }, { server: true, data: f.appData(200) }]),
    f.chunks([{ data: ch.subarray(0, 30) }, { data: ch.subarray(30) }, { server: true, data: f.alert() }, { server: true, end: true }]),
    f.chunks([{ data: ch.subarray(0, 10) }, { gap: 20 }, { server: true, data: sh }]),
  ];
}

export function run(b) {
  const anomalies = new AnomalySink();
  const s = new TlsSession(anomalies, { clientHellos: 0, serverHellos: 0 });
  s.onBytes = () => {};
  s.rtt = () => 0.01;
  feed(b, s);
  JSON.stringify(s.record());
}
