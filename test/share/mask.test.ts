import { describe, expect, it } from 'vitest';
import { maskLine, maskHeaderBlock } from '../../src/share/mask.js';

describe('maskLine (same-length credential masking)', () => {
  it.each([
    ['Authorization: Basic dGVzdGVyOmh1bnRlcjI=', 'dGVzdGVyOmh1bnRlcjI='],
    ['Proxy-Authorization: Basic cHVzZXI6cHc=', 'cHVzZXI6cHc='],
    ['Cookie: session=abc123secret', 'abc123secret'],
    ['Set-Cookie: sid=zzTOPSECRETzz; Path=/', 'zzTOPSECRETzz'],
    ['GET /lab.example/m/@v/list?token=t0k3nSECRET HTTP/1.1', 't0k3nSECRET'],
    ['GET http://user:pa55word@127.0.0.1:8080/x HTTP/1.1', 'pa55word'],
  ])('%s', (line, secret) => {
    const m = maskLine(line);
    expect(m).not.toBeNull();
    expect(m!.length).toBe(line.length);
    expect(m).not.toContain(secret);
  });

  it('keeps the header name and the request line readable', () => {
    expect(maskLine('Authorization: Bearer abcdefgh12345678')).toBe(`Authorization: ${'*'.repeat('Bearer abcdefgh12345678'.length)}`);
    const r = maskLine('GET /x?token=abc&v=1 HTTP/1.1')!;
    expect(r.startsWith('GET /x?token=')).toBe(true);
    expect(r.endsWith(' HTTP/1.1')).toBe(true);
  });

  it('stars each credential of a line apart: what lies between them stays readable', () => {
    expect(maskLine('GET https://user:pa55word@lab.example/m/@v/list?token=t0k3n&v=1 HTTP/1.1'))
      .toBe('GET https://*************@lab.example/m/@v/list?token=*****&v=1 HTTP/1.1');
    expect(maskLine('Referer: http://u:p@a.example/?session=abc;sig=xyz#f')).toBe('Referer: http://***@a.example/?session=***;sig=***#f');
  });

  it('a line cut short: a credential running into the cut is starred to it', () => {
    // Not yet recognisable as credentials: userinfo before its `@`, a bearer value before its digit, a token's start.
    expect(maskLine('GET /m/@v/list?next=https://user:pa55', true)).toBe('GET /m/@v/list?next=https://*********');
    expect(maskLine('X-Upstream: Bearer abcdef', true)).toBe('X-Upstream: Bearer ******');
    expect(maskLine('GET /x?t=ghp_abc', true)).toBe('GET /x?t=*******');
    expect(maskLine('GET /x?access_token=abc', true)).toBe('GET /x?access_token=***');
    // Not cut, the same line reads as it is; a cut line with nothing running into the cut is left alone.
    expect(maskLine('GET /m/@v/list?next=https://user:pa55', false)).toBeNull();
    expect(maskLine('GET /lab.example/m/@v/list?pad=ppp', true)).toBeNull();
    expect(maskLine('GET http://lab.example/m/@v/li', true)).toBeNull();
  });

  it('stars the whole value of a credential header, whatever it looks like', () => {
    expect(maskLine('Authorization:"c2VjcmV0"')).toBe('Authorization:**********');
    expect(maskLine('Cookie: "abc"', true)).toBe('Cookie: *****');
    expect(maskLine('Proxy-Authorization: Negotiate YIIabc', true)).toBe(`Proxy-Authorization: ${'*'.repeat('Negotiate YIIabc'.length)}`);
    expect(maskLine('Authorization: ')).toBeNull();
  });

  it('leaves lines without credentials alone', () => {
    expect(maskLine('Host: proxy.golang.org')).toBeNull();
    expect(maskLine('GET /lab.example/m/@v/v1.0.0.zip HTTP/1.1')).toBeNull();
  });

  it('maskHeaderBlock returns only the changed bytes, at their offsets', () => {
    const block = Buffer.from('GET / HTTP/1.1\r\nHost: h\r\nCookie: a=b\r\n\r\n', 'latin1');
    const m = maskHeaderBlock(block);
    expect(m).toHaveLength(1);
    const [at, bytes] = m[0];
    const out = Buffer.from(block);
    out.set(bytes, at);
    expect(out.toString('latin1')).toBe('GET / HTTP/1.1\r\nHost: h\r\nCookie: ***\r\n\r\n');
  });
});
