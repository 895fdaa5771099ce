import net, { type AddressInfo } from 'node:net';

export interface CountingRelay {
  /** https://127.0.0.1:<port>: the target, through the relay. */
  readonly url: string;
  /** Connections opened through the relay so far. */
  connections(): number;
  close(): Promise<void>;
}

/** A TCP relay to a (Notary) server on 127.0.0.1 that counts the connections opened through it (TLS passes through). */
export async function countingRelay(target: URL): Promise<CountingRelay> {
  let connections = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    connections++;
    const upstream = net.connect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    connections: () => connections,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
