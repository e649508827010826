/** Small helpers for the benchmark: medians, child processes, formatting. */
import { fork } from 'node:child_process';

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Fork a module; resolves with the child and its first IPC message. */
export function start(modulePath, args = [], execArgv = []) {
  const child = fork(modulePath, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv });
  return new Promise((resolve, reject) => {
    child.once('message', (first) => resolve({ child, first }));
    child.once('exit', (code) => reject(new Error(`${modulePath} exited early (${code})`)));
  });
}

/** Ask a child something over IPC and wait for the answer carrying `field`. */
export function ask(child, cmd, field) {
  return new Promise((resolve) => {
    const on = (m) => {
      if (m && field in m) {
        child.off('message', on);
        resolve(m);
      }
    };
    child.on('message', on);
    child.send({ cmd });
  });
}

export const fmt = (n, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
