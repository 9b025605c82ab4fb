import { describe, expect, it } from 'vitest';
import { withNetdnsDebug } from '../../src/record/golog.js';

describe('withNetdnsDebug', () => {
  it('adds netdns=2, keeping the user\'s other settings', () => {
    expect(withNetdnsDebug(undefined)).toBe('netdns=2');
    expect(withNetdnsDebug('')).toBe('netdns=2');
    expect(withNetdnsDebug('http2debug=1, x509sha1=1')).toBe('http2debug=1,x509sha1=1,netdns=2');
  });

  it('keeps the resolver the user chose and a debug level already set', () => {
    expect(withNetdnsDebug('netdns=cgo')).toBe('netdns=cgo+2');
    expect(withNetdnsDebug('netdns=go,x=1')).toBe('netdns=go+2,x=1');
    expect(withNetdnsDebug('netdns=1')).toBe('netdns=1');
    expect(withNetdnsDebug('netdns=go+1')).toBe('netdns=go+1');
  });
});
