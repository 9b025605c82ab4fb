/**
 * Target: an HttpSession (HTTP/1 requests and responses, bodies by length / chunked / until close,
 * CONNECT and a TLS session inside the tunnel after a 2xx) fed both directions in arbitrary chunks.
 */
import { AnomalySink } from '../../../dist/flow/anomalies.js';
import { HttpSession, looksLikeHttpRequest } from '../../../dist/protocols/http.js';
import { TlsSession } from '../../../dist/protocols/tls.js';
import * as f from '../frames.mjs';
import { feed } from './stream-common.mjs';

export const cover = ['/dist/protocols/http'];
export const maxLen = 8192;
export const dictionary = ['HTTP/1.1 ', 'HTTP/1.0 200 ', '\r\n', '\r\n\r\n', 'Content-Length: ', 'Transfer-Encoding: chunked', 'Connection: close',
  'CONNECT ', 'GET ', 'HEAD ', 'Host: ', ': ', '0\r\n\r\n', 'ffffffff\r\n', '407 ', '100 Continue', '-1', '99999999999999999999'];

export function expected() {
  return false;
}

export function seeds() {
  return [
    f.chunks([{ data: f.httpGet() }, { server: true, data: f.httpOk() }, { data: f.httpGet('/x/@v/v1.zip') }, { server: true, data: f.httpChunked() }, { server: true, end: true }]),
    f.chunks([{ data: f.httpConnect() }, { server: true, data: f.connectOk() }, { data: f.clientHelloRecord() }, { server: true, data: f.serverHelloRecord() }]),
    f.chunks([{ data: f.httpConnect() }, { server: true, data: f.http407() }, { data: f.httpConnect() }, { server: true, end: true }]),
    f.chunks([{ data: f.cat(f.httpGet(), f.httpGet('/b')) }, { server: true, data: f.enc('HTTP/1.0 200 OK\r\n\r\nbody until close') }, { server: true, gap: 9 }, { server: true, end: true }]),
  ];
}

export function run(b) {
  const anomalies = new AnomalySink();
  const s = new HttpSession(anomalies, { requests: 0, responses: 0 });
  s.onFirstRequest = () => {};
  s.onTunnel = () => {
    const tls = new TlsSession(anomalies, { clientHellos: 0, serverHellos: 0 });
    return { client: tls.client, server: tls.server };
  };
  looksLikeHttpRequest(b);
  feed(b, s);
  JSON.stringify([s.exchanges, s.proxyConnect]);
}
