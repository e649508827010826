/**
 * The typed resources' types, proven by compiling a small user project (type-tests/resources/):
 * right.ts compiles as a user writes it; in wrong.ts every `// @ts-expect-error` line fails to
 * compile once the directives are removed, each with a type error (not, say, a missing import that
 * would satisfy the directive just as well): wrong enum values, money typed as a number, an id of
 * another resource, an undocumented filter.
 */
import { fileURLToPath } from 'node:url';
import { expectedErrorLines, typeCheck } from './support/type-check.js';

const PROJECT = fileURLToPath(new URL('../type-tests/resources/', import.meta.url));
// Not assignable (2322, 2345; 2820 with "did you mean"), not a known property (2353), no arithmetic on a string (2362).
const TYPE_ERRORS = new Set([2322, 2345, 2353, 2362, 2820]);
const COMPILE_TIMEOUT_MS = 120_000;

let withoutDirectives: string[] | undefined;
const errorsWithoutDirectives = () => (withoutDirectives ??= typeCheck(PROJECT, true));

describe('typed resources: types', () => {
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
      expect(marked).toHaveLength(12);
      expect(marked.every((m) => m.startsWith('wrong.ts:'))).toBe(true);
      const errors = errorsWithoutDirectives();
      const at = (e: string) => e.split(' ')[0];
      expect([...new Set(errors.map(at))].sort()).toEqual([...marked].sort());
      for (const e of errors) expect(TYPE_ERRORS.has(Number(/ TS(\d+) /.exec(e)?.[1]))).toBe(true);
    },
    COMPILE_TIMEOUT_MS,
  );

  it(
    'names the wrong value and what was expected',
    () => {
      const errors = errorsWithoutDirectives().join('\n');
      expect(errors).toMatch(/Type '"paused"' is not assignable to type '"active" \| "deactivated"/);
      expect(errors).toMatch(/Type 'number' is not assignable to type '`\$\{number\}`'/);
      expect(errors).toMatch(/Type '"purchase"' is not assignable to type '"sale" \| "lead" \| "signup" \| "trial"/);
      expect(errors).toMatch(/Type '"lnk_1"' is not assignable to type '`camp_\$\{string\}`'/);
    },
    COMPILE_TIMEOUT_MS,
  );
});
