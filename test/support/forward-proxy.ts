import { createServer, request as httpRequest, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';

/**
 * A corporate-style HTTP forward proxy on loopback: CONNECT tunnels (what undici's ProxyAgent
 * opens) and absolute-form requests, with an optional Proxy-Authorization it insists on. Records
 * the targets it carried traffic to.
 */
export class ForwardProxy {
  /** `host:port` of every tunnel opened, in order. */
  readonly tunnels: string[] = [];
  /** Absolute URLs of plain proxied requests. */
  readonly forwarded: string[] = [];
  /** Requests refused for a missing or wrong Proxy-Authorization. */
  refused = 0;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    private readonly expectedAuth?: string,
  ) {
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    server.on('connect', (req, client: Socket, head) => {
      if (!this.authorised(req.headers['proxy-authorization'])) {
        client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\n\r\n');
        return;
      }
      const target = req.url ?? '';
      this.tunnels.push(target);
      const [host, port] = target.split(':');
      const upstream = connect(Number(port), host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        if (head.length > 0) upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      this.sockets.add(upstream);
      upstream.on('close', () => this.sockets.delete(upstream));
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    server.on('request', (req, res) => {
      if (!this.authorised(req.headers['proxy-authorization'])) {
        res.writeHead(407, { 'proxy-authenticate': 'Basic' }).end();
        return;
      }
      const url = new URL(req.url ?? '/');
      this.forwarded.push(url.href);
      const { 'proxy-authorization': _dropped, ...headers } = req.headers;
      const upstream = httpRequest({ host: url.hostname, port: url.port, path: url.pathname + url.search, method: req.method, headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => res.writeHead(502).end());
      req.pipe(upstream);
    });
  }

  static async start(options: { auth?: string } = {}): Promise<ForwardProxy> {
    const proxy = new ForwardProxy(createServer(), options.auth);
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private authorised(given: string | undefined): boolean {
    if (this.expectedAuth === undefined || given === this.expectedAuth) return true;
    this.refused++;
    return false;
  }
}
