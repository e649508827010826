import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, Socket } from 'node:net';

const BINARY = process.env.REDIS_SERVER_BIN ?? 'redis-server';

/**
 * A real redis-server on a free loopback port, without persistence, for one test file. Never
 * skipped: without the binary the tests fail and say how to install it.
 */
export class RedisServer {
  private proc?: ChildProcess;

  private constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<RedisServer> {
    const found = spawnSync(BINARY, ['--version'], { encoding: 'utf8' });
    if (found.error || found.status !== 0) {
      throw new Error(
        `redis-server not found (${BINARY}). The Redis tests need a real one: install it with ` +
          '`sudo apt-get install -y redis-server` (Debian/Ubuntu) or `brew install redis`, or set REDIS_SERVER_BIN.',
      );
    }
    const server = new RedisServer(await freePort());
    await server.run();
    return server;
  }

  /** Stops it (SIGKILL: like a crash, nothing saved); restart() brings up an empty one on the same port. */
  async stop(): Promise<void> {
    const proc = this.proc;
    this.proc = undefined;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGKILL');
    await exited;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.run();
  }

  private async run(): Promise<void> {
    const proc = spawn(BINARY, ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'], {
      stdio: 'ignore',
    });
    this.proc = proc;
    const deadline = Date.now() + 10_000;
    while (!(await answersPing(this.port))) {
      if (proc.exitCode !== null) throw new Error(`redis-server exited with code ${proc.exitCode} on port ${this.port}`);
      if (Date.now() > deadline) throw new Error(`redis-server did not answer PING on port ${this.port} within 10 s`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
    socket.once('data', (d) => done(d.toString().startsWith('+PONG')));
  });
}
