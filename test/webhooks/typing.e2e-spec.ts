/**
 * The webhook events' types, proven by compiling a small user project (type-tests/webhooks/):
 * right.ts compiles as a user writes it (narrowing on `event` types `data`); in wrong.ts every
 * `// @ts-expect-error` line fails to compile once the directives are removed, each with a type
 * error: an undocumented event name, money as a number, a wrong outcome, an unknown event's data.
 */
import { fileURLToPath } from 'node:url';
import { expectedErrorLines, typeCheck } from '../support/type-check.js';

const PROJECT = fileURLToPath(new URL('../../type-tests/webhooks/', import.meta.url));
// Not assignable (2322, 2345; 2820 with "did you mean"; 2740 missing properties).
const TYPE_ERRORS = new Set([2322, 2345, 2740, 2820]);
const COMPILE_TIMEOUT_MS = 120_000;

describe('webhook events: types', () => {
  it(
    'the project compiles as written',
    () => {
      expect(typeCheck(PROJECT, false)).toEqual([]);
    },
    COMPILE_TIMEOUT_MS,
  );

  it(
    'fails on exactly the marked lines, each with a type error, once the directives are removed',
    () => {
      const marked = expectedErrorLines(PROJECT);
      expect(marked).toHaveLength(5);
      const errors = typeCheck(PROJECT, true);
      const at = (e: string) => e.split(' ')[0];
      expect([...new Set(errors.map(at))].sort()).toEqual([...marked].sort());
      for (const e of errors) expect(TYPE_ERRORS.has(Number(/ TS(\d+) /.exec(e)?.[1]))).toBe(true);
      expect(errors.join('\n')).toMatch(/Type '`\$\{number\}`' is not assignable to type 'number'/);
    },
    COMPILE_TIMEOUT_MS,
  );
});
