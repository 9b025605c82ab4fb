/**
 * Loopback addresses for the lab. Several engineers (and test files) capture on `lo` at once, so
 * every lab world gets its own random 127.A.B.0/24: captures filtered by `net 127.A.B.0/24` see only
 * that world's traffic. All of 127.0.0.0/8 answers on Linux's lo without configuration.
 */
import { randomInt } from 'node:crypto';
import { createServer } from 'node:net';

/** A random /24 inside 127/8, avoiding 127.0.x (localhost habits) and 127.255.x. */
export function randomLoopbackNet(): string {
  return `127.${randomInt(16, 250)}.${randomInt(1, 255)}`;
}

/** Whether `host` is an IPv4 loopback address (127.0.0.0/8) or ::1 — the only places the lab binds. */
export function isLoopback(host: string): boolean {
  if (host === '::1') return true;
  const m = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  return m !== null && m.slice(1).every((x) => Number(x) <= 255);
}

export function assertLoopback(host: string): void {
  if (!isLoopback(host)) throw new Error(`lab servers bind to loopback only; refusing ${host}`);
}

/** `ip:port`, IPv6 in brackets. */
export function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** A TCP port that is free on `host` right now (bound then released): for "connect refused". */
export async function freePort(host: string): Promise<number> {
  assertLoopback(host);
  return await new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen({ host, port: 0, exclusive: true }, () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** Whether ::1 can be bound here (IPv6 enabled on lo). */
export async function ipv6LoopbackAvailable(): Promise<boolean> {
  return await new Promise<boolean>((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen({ host: '::1', port: 0, exclusive: true }, () => s.close(() => resolve(true)));
  });
}
