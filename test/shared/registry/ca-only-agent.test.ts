import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { CaOnlyAgent } from '../../../shared/registry/ca-only-agent';

/**
 * A server that answers the ClientHello with the header of a 16 KiB TLS handshake record and then trickles its body
 * a byte at a time: every byte restarts an idle timeout, so only a timer counted from the connect ends the wait.
 */
describe('CaOnlyAgent: a handshake is bounded from the connect, not from the last byte', () => {
  const sockets = new Set<net.Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let server: net.Server;
  let port: number;

  beforeAll(async () => {
    server = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.once('data', () => {
        socket.write(Buffer.from([0x16, 0x03, 0x03, 0x40, 0x00]));
        const timer = setInterval(() => socket.writable && socket.write(Buffer.from([0x00])), 10);
        timers.add(timer);
        socket.on('close', () => clearInterval(timer));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    for (const timer of timers) clearInterval(timer);
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('gives up on a server that trickles its handshake, with the handshake error', async () => {
    // The idle timeout alone (the old bound) is longer than 10 ms between bytes, so it would never fire.
    const agent = new CaOnlyAgent('', { keepAlive: true, maxSockets: 1 }, 150);
    try {
      const error = await new Promise<Error | null>((resolve) => {
        agent.createConnection({ host: '127.0.0.1', port } as never, (failure) => resolve(failure));
      });
      expect(error?.message).toBe('TLS handshake with 127.0.0.1 did not finish within 150 ms');
      // The server kept writing to the end: it was the agent that closed the connection.
      expect([...sockets].some((socket) => socket.bytesWritten > 5)).toBe(true);
    } finally {
      agent.destroy();
    }
  });
});
