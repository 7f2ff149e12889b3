// A SOCKS5 server for the proxy tests: what kubectl's and the plugin's connections go through.
import { connect as netConnect, createServer as netServer, type AddressInfo, type Server as NetServer } from 'node:net';

/**
 * A SOCKS5 server (no authentication, CONNECT only) that counts the connections it opens, on a loopback address
 * (127.0.0.2: another than the API server's, and still this machine's own).
 */
export async function socks5(
  address = '127.0.0.1',
): Promise<{ url: string; connections: () => number; close: () => void }> {
  let count = 0;
  const server: NetServer = netServer((client) => {
    client.once('data', () => {
      client.write(Buffer.from([5, 0]));
      client.once('data', (req: Buffer) => {
        const type = req[3];
        const len = type === 1 ? 4 : type === 4 ? 16 : req[4] + 1;
        const at = 4;
        const host =
          type === 3
            ? req.subarray(at + 1, at + len).toString()
            : type === 1
              ? [...req.subarray(at, at + 4)].join('.')
              : '::1';
        const targetPort = req.readUInt16BE(at + len);
        const upstream = netConnect(targetPort, host, () => {
          count++;
          client.write(Buffer.from([5, 0, 0, 1, 0, 0, 0, 0, 0, 0]));
          upstream.pipe(client).pipe(upstream);
        });
        upstream.on('error', () => client.destroy());
        client.on('error', () => upstream.destroy());
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, address, r));
  return {
    url: `socks5://${address}:${(server.address() as AddressInfo).port}`,
    connections: () => count,
    close: () => server.close(),
  };
}
