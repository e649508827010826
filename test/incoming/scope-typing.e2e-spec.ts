/**
 * Scopes are typed against the catalogue: proven by compiling small user projects with the
 * TypeScript compiler (ts-jest does not type-check here: isolatedModules). Each project under
 * type-tests/scopes/ imports 'nest-provider-auth' (this package's source) like an app would:
 * - default-catalogue: no augmentation; the twelve default scopes and nothing else;
 * - custom-catalogue: ProviderAuthScopes augmented; its scopes only, defaults refused;
 * - runtime-catalogue: `catalogue: string`, the documented way out for a catalogue known at run time.
 * Every `// @ts-expect-error` in them marks a line that must not compile. The projects must compile
 * as written, and with the directives removed must fail on exactly those lines, each with an
 * argument-type error (not, say, a missing import that would satisfy the directive just as well).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const FIXTURES = fileURLToPath(new URL('../../type-tests/scopes/', import.meta.url));
const DIRECTIVE = /^\s*\/\/ @ts-expect-error\b/;
// Argument / assignment not assignable (2820: the same, with "did you mean").
const TYPE_ERRORS = new Set([2345, 2322, 2820]);
// A whole-program type check per project; seconds each on a busy machine.
const COMPILE_TIMEOUT_MS = 120_000;

const parsedFiles = new Map<string, ts.SourceFile | undefined>();
const compiled = new Map<string, string[]>();

/** Diagnostics in the project's own files, as `file:line TScode message` (line 1-based). */
function compile(project: string, withoutDirectives: boolean): string[] {
  const key = `${project} ${withoutDirectives}`;
  if (!compiled.has(key)) compiled.set(key, diagnose(project, withoutDirectives));
  return compiled.get(key)!;
}

function diagnose(project: string, withoutDirectives: boolean): string[] {
  const dir = join(FIXTURES, project);
  const configPath = join(dir, 'tsconfig.json');
  const read = ts.readConfigFile(configPath, ts.sys.readFile);
  if (read.error) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, '\n'));
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, dir, undefined, configPath);
  if (parsed.errors.length > 0) throw new Error(parsed.errors.map((e) => ts.flattenDiagnosticMessageText(e.messageText, '\n')).join('\n'));
  const own = ownFiles(project);
  const host = ts.createCompilerHost(parsed.options, true);
  const original = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, language, ...rest) => {
    if (!own.includes(resolve(fileName))) {
      // The package and its dependencies are the same in every project: parse them once.
      if (!parsedFiles.has(fileName)) parsedFiles.set(fileName, original(fileName, language, ...rest));
      return parsedFiles.get(fileName);
    }
    const code = readFileSync(fileName, 'utf8');
    return ts.createSourceFile(fileName, withoutDirectives ? code.replace(/\/\/ @ts-expect-error\b/g, '// (expect error)') : code, language);
  };
  const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options, host });
  const found = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()].map((d) => `(global) TS${d.code} ${text(d)}`);
  for (const file of own) {
    const source = program.getSourceFile(file);
    if (!source) throw new Error(`${file} is not part of the ${project} program`);
    for (const d of [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)]) {
      const line = source.getLineAndCharacterOfPosition(d.start ?? 0).line + 1;
      found.push(`${relative(FIXTURES, file)}:${line} TS${d.code} ${text(d)}`);
    }
  }
  return found;
}

function text(d: ts.Diagnostic): string {
  return ts.flattenDiagnosticMessageText(d.messageText, ' ');
}

function ownFiles(project: string): string[] {
  const dir = join(FIXTURES, project);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(dir, f));
}

/** `file:line` of each line right below a `// @ts-expect-error`. */
function expectedErrorLines(project: string): string[] {
  return ownFiles(project).flatMap((file) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .flatMap((line, i) => (DIRECTIVE.test(line) ? [`${relative(FIXTURES, file)}:${i + 2}`] : [])),
  );
}

describe.each([
  ['default-catalogue', 5],
  ['custom-catalogue', 3],
  ['runtime-catalogue', 1],
])('scope typing: %s', (project, directives) => {
  it(
    'compiles as written',
    () => {
      expect(compile(project, false)).toEqual([]);
    },
    COMPILE_TIMEOUT_MS,
  );

  it(
    'fails on exactly the marked lines, with an argument-type error, once the directives are removed',
    () => {
      const marked = expectedErrorLines(project);
      expect(marked).toHaveLength(directives);
      const errors = compile(project, true);
      const at = (e: string) => e.split(' ')[0];
      expect([...new Set(errors.map(at))].sort()).toEqual([...marked].sort());
      for (const e of errors) expect(TYPE_ERRORS.has(Number(/ TS(\d+) /.exec(e)?.[1]))).toBe(true);
    },
    COMPILE_TIMEOUT_MS,
  );
});

describe('scope typing: what the errors say', () => {
  it(
    "names the typo'd scope and the catalogue it is not in",
    () => {
      const errors = compile('default-catalogue', true).join('\n');
      expect(errors).toMatch(/Argument of type '"campaign:read"' is not assignable to parameter of type '"campaigns:read" \| "campaigns:write" \|/);
      const custom = compile('custom-catalogue', true).join('\n');
      expect(custom).toMatch(/Argument of type '"links:read"' is not assignable to parameter of type '"reports:read" \| "reports:write" \| "campaigns:read"'/);
    },
    COMPILE_TIMEOUT_MS,
  );
});
