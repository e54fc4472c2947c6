/**
 * A TCP proxy in front of the shared PostgreSQL server, so a test can make
 * the database unreachable for one service without touching the server that
 * other tests (and other engineers) use at the same time:
 *   - refuse(): new connections are refused and open ones are cut, as when the
 *     server is down or restarting;
 *   - hang(): nothing passes any more in either direction and new
 *     connections are accepted but never answered, as in a network partition;
 *   - heal(): back to normal (connections cut before stay cut).
 */
import net from 'node:net';

export type ProxyState = 'open' | 'refusing' | 'hanging';

export class TcpProxy {
  private state: ProxyState = 'open';
  private readonly pairs = new Set<{ client: net.Socket; upstream: net.Socket }>();

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
  ) {}

  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    const proxy = new TcpProxy(server, (server.address() as net.AddressInfo).port);
    server.on('connection', (client: net.Socket) => proxy.accept(client, target));
    return proxy;
  }

  /** The connection string `url` with its host and port replaced by this proxy's. */
  route(url: string): string {
    const routed = new URL(url);
    routed.hostname = '127.0.0.1';
    routed.port = String(this.port);
    return routed.toString();
  }

  /** Connections currently passing through. */
  get connections(): number {
    return this.pairs.size;
  }

  refuse(): void {
    this.state = 'refusing';
    for (const pair of this.pairs) this.drop(pair);
  }

  hang(): void {
    this.state = 'hanging';
    for (const { client, upstream } of this.pairs) {
      // Unpiped as well as paused: a pipe would resume its source on the next 'drain'.
      client.unpipe(upstream);
      upstream.unpipe(client);
      client.pause();
      upstream.pause();
    }
  }

  heal(): void {
    // Connections that were hanging are cut: what they were waiting for is long gone.
    if (this.state === 'hanging') for (const pair of this.pairs) this.drop(pair);
    this.state = 'open';
  }

  async stop(): Promise<void> {
    for (const pair of this.pairs) this.drop(pair);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket, target: { host: string; port: number }): void {
    client.on('error', () => undefined);
    if (this.state === 'refusing') {
      client.resetAndDestroy();
      return;
    }
    if (this.state === 'hanging') {
      // Accepted, never answered: held until heal() or stop() cuts it.
      const pair = { client, upstream: new net.Socket() };
      client.pause();
      this.pairs.add(pair);
      client.once('close', () => this.pairs.delete(pair));
      return;
    }
    const upstream = net.connect(target.port, target.host);
    upstream.on('error', () => undefined);
    const pair = { client, upstream };
    this.pairs.add(pair);
    client.pipe(upstream);
    upstream.pipe(client);
    const forget = (): void => {
      this.drop(pair);
    };
    client.once('close', forget);
    upstream.once('close', forget);
  }

  private drop(pair: { client: net.Socket; upstream: net.Socket }): void {
    this.pairs.delete(pair);
    pair.client.resetAndDestroy();
    pair.upstream.destroy();
  }
}
