import { fork, type ChildProcess } from 'node:child_process';

/**
 * One replica of a user's app as a separate Node process (a worker script running the built
 * package), driven over IPC: `ask({ cmd, … })` sends a command with an id and resolves with the
 * worker's answer carrying that id. The worker sends `{ ready: true }` once it is up. Everything it
 * prints is kept in `output` (tests check it holds no secret).
 */
export class ReplicaProcess {
  private nextId = 0;
  private readonly waiting = new Map<number, (answer: unknown) => void>();
  output = '';

  private constructor(readonly proc: ChildProcess) {
    proc.on('message', (m: { id?: number }) => {
      if (m.id !== undefined) this.waiting.get(m.id)?.(m);
    });
    proc.stdout?.on('data', (d) => (this.output += String(d)));
    proc.stderr?.on('data', (d) => (this.output += String(d)));
  }

  static start(worker: string, env: Record<string, string>): Promise<ReplicaProcess> {
    const replica = new ReplicaProcess(fork(worker, [], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'], execArgv: [] }));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`replica did not start: ${replica.output}`)), 20_000);
      replica.proc.once('exit', (code) => reject(new Error(`replica exited with ${code}: ${replica.output}`)));
      replica.proc.on('message', (m: { ready?: boolean }) => {
        if (m.ready) {
          clearTimeout(timer);
          resolve(replica);
        }
      });
    });
  }

  get pid(): number {
    return this.proc.pid!;
  }

  /** Send a command; resolves with the worker's answer to it, rejects if the worker dies first. */
  ask<T>(command: Record<string, unknown>): Promise<T> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, resolve as (answer: unknown) => void);
      this.proc.once('exit', () => reject(new Error(`replica ${this.pid} died: ${this.output}`)));
      this.proc.send({ ...command, id });
    });
  }

  kill(): void {
    this.proc.kill('SIGKILL');
  }
}
