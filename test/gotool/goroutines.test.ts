import { describe, it, expect } from 'vitest';
import { GoroutineCollector, frameName, summarise, waitsOn } from '../../src/gotool/goroutines.js';

describe('frames', () => {
  it('frameName strips arguments, keeps receivers', () => {
    expect(frameName('net/http.(*persistConn).roundTrip(0xc0000bcc60, 0xc00019c200)')).toBe('net/http.(*persistConn).roundTrip');
    expect(frameName('cmd/go/internal/lockedfile/internal/filelock.Lock(...)')).toBe('cmd/go/internal/lockedfile/internal/filelock.Lock');
    expect(frameName('cmd/go/internal/modfetch.lockVersion({{0xc00002a618?, 0x3e?}, {0xc00002eff0?, 0xa26c07?}})')).toBe('cmd/go/internal/modfetch.lockVersion');
    expect(frameName('runtime.goexit()')).toBe('runtime.goexit');
    expect(frameName('\t/usr/lib/go/src/x.go:1 +0x1')).toBeNull();
    expect(frameName('created by main.main')).toBeNull();
  });
  const stack = (s: string) => s.trim().split(/\s+/);
  it('what go waits on', () => {
    expect(waitsOn(stack('runtime.gopark internal/poll.(*FD).Read net.(*netFD).Read net.(*conn).Read net.dnsPacketRoundTrip net.(*Resolver).exchange net.(*Resolver).tryOneName'))).toEqual({ waitsOn: 'dns', frame: 'net.dnsPacketRoundTrip' });
    expect(waitsOn(stack('runtime.gopark internal/poll.(*FD).WaitWrite net.(*netFD).connect net.(*netFD).dial net.(*sysDialer).doDialTCP')).waitsOn).toBe('connect');
    expect(waitsOn(stack('runtime.gopark net.(*conn).Read crypto/tls.(*Conn).readRecordOrCCS crypto/tls.(*Conn).readHandshake crypto/tls.(*Conn).clientHandshake crypto/tls.(*Conn).handshakeContext net/http.(*persistConn).addTLS.func2'))).toEqual({ waitsOn: 'tls', frame: 'crypto/tls.(*Conn).clientHandshake' });
    expect(waitsOn(stack('runtime.gopark bufio.(*Reader).Peek net/http.ReadResponse net/http.(*Transport).dialConn net/http.(*Transport).dialConnFor')).waitsOn).toBe('proxy-connect');
    expect(waitsOn(stack('runtime.gopark runtime.selectgo net/http.(*persistConn).roundTrip net/http.(*Transport).roundTrip'))).toEqual({ waitsOn: 'proxy-response', frame: 'net/http.(*persistConn).roundTrip' });
    expect(waitsOn(stack('runtime.gopark net/http.(*body).Read io.copyBuffer cmd/go/internal/modfetch.downloadZip')).waitsOn).toBe('transfer');
    expect(waitsOn(stack('syscall.Syscall syscall.Flock cmd/go/internal/lockedfile/internal/filelock.lock cmd/go/internal/lockedfile.OpenFile'))).toEqual({ waitsOn: 'cache-lock', frame: 'syscall.Flock' });
    expect(waitsOn(stack('syscall.Syscall6 os.(*Process).blockUntilWaitable os.(*Process).wait os/exec.(*Cmd).Wait cmd/go/internal/modfetch/codehost.RunWithStdin'))).toEqual({ waitsOn: 'git', frame: 'os/exec.(*Cmd).Wait' });
    expect(waitsOn(stack('runtime.gopark runtime.goparkunlock runtime.forcegchelper'))).toEqual({ waitsOn: 'other', frame: null });
  });
});

describe('GoroutineCollector', () => {
  it('reads headers with wait minutes and the gp= form of newer go', () => {
    const c = new GoroutineCollector();
    const lines = [
      'SIGQUIT: quit', 'PC=0x0 m=0 sigcode=0', '',
      'goroutine 18 [select, 3 minutes]:',
      'runtime.gopark(0x0, 0x0)', '\t/usr/lib/go/src/runtime/proc.go:363 +0xd6',
      'net/http.(*persistConn).roundTrip(0x1, 0x2)', '\t/usr/lib/go/src/net/http/transport.go:2620 +0x974',
      'created by cmd/go/internal/modcmd.runDownload', '\t/usr/lib/go/src/cmd/go/internal/modcmd/download.go:250 +0x7fb', '',
      'goroutine 7 gp=0xc000007c00 m=nil [syscall, 12 minutes, locked to thread]:',
      'syscall.Flock(0x3, 0x2)', '\t/x.go:1',
      '...additional frames elided...', '',
      'rax    0xca', 'rip    0x469f41',
    ];
    lines.forEach((l, i) => expect(c.feed(l, i + 1, null)).toBe(true));
    c.close();
    expect(c.dumps).toBe(1);
    expect(c.done.map(summarise)).toEqual([
      { id: 18, state: 'select', waitMinutes: 3, waitsOn: 'proxy-response', frame: 'net/http.(*persistConn).roundTrip', frames: ['runtime.gopark', 'net/http.(*persistConn).roundTrip'] },
      { id: 7, state: 'syscall', waitMinutes: 12, waitsOn: 'cache-lock', frame: 'syscall.Flock', frames: ['syscall.Flock'] },
    ]);
  });
  it('caps goroutines kept, counting the rest', () => {
    const c = new GoroutineCollector(2);
    for (let i = 1; i <= 5; i++) { c.feed(`goroutine ${i} [select]:`, i, null); c.feed('runtime.gopark()', i, null); }
    c.close();
    expect(c.done).toHaveLength(2);
    expect(c.skipped).toBe(3);
  });
});
