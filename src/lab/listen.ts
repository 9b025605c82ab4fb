/**
 * Listening and closing for the lab's TCP servers (GOPROXY, git, checksum database, forward proxy,
 * TLS sink). A lab server's clients are often stalled on purpose, so `close` must end every socket
 * itself: server.close() alone waits for them for ever.
 */
import type { Server, Socket } from 'node:net';

/** Listen on `host`:`port` (0: any free port), only ours (exclusive); resolves with the port. */
export async function listenOn(server: Server, host: string, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  return typeof addr === 'object' && addr ? addr.port : 0;
}

/** Keep a socket in `sockets` while it is open (for `closeServer`). */
export function tracker(sockets: Set<Socket>): (s: Socket) => void {
  return (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  };
}

/** Stop listening, destroy every tracked socket (and HTTP keep-alive ones), and wait. */
export async function closeServer(server: Server, sockets: Set<Socket>): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  for (const s of sockets) s.destroy();
  (server as { closeAllConnections?: () => void }).closeAllConnections?.();
  await closed;
}
