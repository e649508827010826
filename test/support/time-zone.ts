import { runInThisContext } from 'node:vm';

/**
 * Sets the time zone the whole process (V8's Date) runs in, and returns a function that puts the
 * previous one back. Why not just `process.env.TZ = …`: Jest hands each test file a copy of
 * `process.env`, so that assignment never reaches Node; the host process's own `env` does (Node
 * honours a runtime TZ change there).
 */
export function useTimeZone(zone: string): () => void {
  const host = runInThisContext('process') as NodeJS.Process;
  const previous = host.env.TZ;
  host.env.TZ = zone;
  process.env.TZ = zone;
  return () => {
    if (previous === undefined) {
      delete host.env.TZ;
      delete process.env.TZ;
    } else {
      host.env.TZ = previous;
      process.env.TZ = previous;
    }
  };
}
