import { describe, it, expect } from 'vitest';
import { endpoint, parseSockaddr, parseSocketNote, socketProtocol } from '../../src/strace/sockets.js';

describe('sockets', () => {
  it('sockaddr structs as strace prints them', () => {
    expect(parseSockaddr('{sa_family=AF_INET, sin_port=htons(443), sin_addr=inet_addr("142.250.1.1")}')).toEqual({ family: 'inet', address: '142.250.1.1:443' });
    expect(parseSockaddr('{sa_family=AF_INET6, sin6_port=htons(53), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "::1", &sin6_addr), sin6_scope_id=0}')).toEqual({ family: 'inet6', address: '[::1]:53' });
    expect(parseSockaddr('{sa_family=AF_UNIX, sun_path="/run/nscd/socket"}')).toEqual({ family: 'unix', address: '"/run/nscd/socket"' });
    expect(parseSockaddr('{sa_family=AF_NETLINK, nl_pid=0, nl_groups=00000000}')).toEqual({ family: 'netlink', address: null });
    expect(parseSockaddr('0x7ffd1234')).toBeNull();
    expect(parseSockaddr(undefined)).toBeNull();
  });
  it('-yy notes', () => {
    expect(parseSocketNote('TCP:[127.0.0.1:40000->127.9.9.1:8080]')).toEqual({ protocol: 'tcp', local: '127.0.0.1:40000', remote: '127.9.9.1:8080' });
    expect(parseSocketNote('TCPv6:[[::1]:4->[2001:db8::1]:443]')).toEqual({ protocol: 'tcp', local: '[::1]:4', remote: '[2001:db8::1]:443' });
    expect(parseSocketNote('UDP:[10.0.0.2:5353]')).toEqual({ protocol: 'udp', local: '10.0.0.2:5353', remote: null });
    expect(parseSocketNote('TCP:[123456]')).toEqual({ protocol: 'tcp', local: null, remote: null });
    expect(parseSocketNote('UNIX-STREAM:[1->2]')).toEqual({ protocol: 'unix', local: null, remote: null });
    expect(parseSocketNote('socket:[9001]')).toEqual({ protocol: null, local: null, remote: null });
    expect(parseSocketNote('/dev/null')).toBeNull();
    expect(parseSocketNote('pipe:[55]')).toBeNull();
  });
  it('socket() arguments → protocol; endpoint formatting', () => {
    expect(socketProtocol(['AF_INET', 'SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK', 'IPPROTO_IP'])).toBe('tcp');
    expect(socketProtocol(['AF_INET6', 'SOCK_DGRAM|SOCK_CLOEXEC', 'IPPROTO_IP'])).toBe('udp');
    expect(socketProtocol(['AF_UNIX', 'SOCK_STREAM', '0'])).toBe('unix');
    expect(endpoint('::1', 80)).toBe('[::1]:80');
    expect(endpoint('1.2.3.4', 80)).toBe('1.2.3.4:80');
  });
});
