import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';

/**
 * Type-checks a small user project (a folder with a tsconfig.json and .ts files that import
 * 'nest-provider-auth', mapped to this package's source), as the TypeScript compiler would: ts-jest
 * does not type-check here (isolatedModules). `// @ts-expect-error` marks a line that must not compile.
 */
export const EXPECT_ERROR = /^\s*\/\/ @ts-expect-error\b/;

/** Diagnostics in the project's own files, as `file:line TScode message` (line 1-based); optionally with the directives disabled. */
export function typeCheck(dir: string, withoutDirectives: boolean): string[] {
  const configPath = join(dir, 'tsconfig.json');
  const read = ts.readConfigFile(configPath, ts.sys.readFile);
  if (read.error) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, '\n'));
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, dir, undefined, configPath);
  if (parsed.errors.length > 0) throw new Error(parsed.errors.map((e) => ts.flattenDiagnosticMessageText(e.messageText, '\n')).join('\n'));
  const own = ownFiles(dir);
  const host = ts.createCompilerHost(parsed.options, true);
  const original = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, language, ...rest) => {
    if (!own.includes(resolve(fileName))) return original(fileName, language, ...rest);
    const code = readFileSync(fileName, 'utf8');
    return ts.createSourceFile(fileName, withoutDirectives ? code.replace(/\/\/ @ts-expect-error\b/g, '// (expect error)') : code, language);
  };
  const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options, host });
  const text = (d: ts.Diagnostic) => ts.flattenDiagnosticMessageText(d.messageText, ' ');
  const found = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()].map((d) => `(global) TS${d.code} ${text(d)}`);
  for (const file of own) {
    const source = program.getSourceFile(file);
    if (!source) throw new Error(`${file} is not part of the program in ${dir}`);
    for (const d of [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)]) {
      const line = source.getLineAndCharacterOfPosition(d.start ?? 0).line + 1;
      found.push(`${relative(dir, file)}:${line} TS${d.code} ${text(d)}`);
    }
  }
  return found;
}

/** `file:line` of each line right below a `// @ts-expect-error`. */
export function expectedErrorLines(dir: string): string[] {
  return ownFiles(dir).flatMap((file) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .flatMap((line, i) => (EXPECT_ERROR.test(line) ? [`${relative(dir, file)}:${i + 2}`] : [])),
  );
}

function ownFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => resolve(join(dir, f)));
}
