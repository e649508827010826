#!/usr/bin/env node
// Type-checks every TypeScript example of README.md and docs/**/*.md.
//
// Each ```ts (or ```typescript) block is written to its own module under .doc-examples/ (ignored by
// git; rewritten on every run, left behind for inspection), and all of them are checked in one
// TypeScript program with scripts/tsconfig.doc-examples.json: the repository's compiler options,
// with `nest-provider-auth` and its export paths resolved to lib/. An example must therefore compile
// on its own: its imports written out, a user's own types declared.
//
// A block fenced ```ts no-check is skipped. Keep that for a deliberately partial snippet (a
// signature, one line of a larger file), never for an example a reader would copy whole.
//
// Usage: node scripts/check-doc-examples.mjs   Exit status 0 when every example compiles; 1 with
// `file:line:col` of each error otherwise.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, '.doc-examples');
const configPath = join(root, 'scripts', 'tsconfig.doc-examples.json');
const LANGS = new Set(['ts', 'typescript']);
const FLAGS = new Set(['no-check']);

/** README.md, then every .md under docs/, in a stable order. */
function markdownFiles() {
  const files = ['README.md'];
  const walk = (dir) => {
    let entries;
    try {
      entries = readdirSync(join(root, dir), { withFileTypes: true });
    } catch {
      return; // no docs/ yet
    }
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const path = `${dir}/${e.name}`;
      if (e.isDirectory()) walk(path);
      else if (e.name.endsWith('.md')) files.push(path);
    }
  };
  walk('docs');
  return files;
}

/**
 * The fenced code blocks of one Markdown file (CommonMark fences: ``` or ~~~, three or more, up to
 * three spaces of indentation, or deeper inside list items). `line` is the 1-based line of the
 * block's first code line.
 */
function codeBlocks(file, text, problems) {
  const lines = text.split(/\r?\n/);
  const blocks = [];
  let open;
  lines.forEach((line, i) => {
    if (!open) {
      const m = /^(\s*)(`{3,}|~{3,})\s*([^`]*)$/.exec(line);
      if (m) open = { indent: m[1].length, fence: m[2], info: m[3].trim(), start: i + 2, code: [] };
      return;
    }
    const close = /^\s*(`{3,}|~{3,})\s*$/.exec(line);
    if (close && close[1][0] === open.fence[0] && close[1].length >= open.fence.length) {
      const [lang = '', ...flags] = open.info.split(/\s+/).filter(Boolean);
      blocks.push({ file, line: open.start, lang: lang.toLowerCase(), flags, code: open.code.join('\n') + '\n' });
      open = undefined;
      return;
    }
    // Inside a list item the fence and its code are indented alike: drop that indentation.
    const strip = Math.min(open.indent, line.length - line.trimStart().length);
    open.code.push(line.slice(strip));
  });
  if (open) problems.push(`${file}:${open.start - 1}: a code fence that is never closed`);
  return blocks;
}

const problems = [];
const examples = [];
let summary;
let skipped = 0;
for (const file of markdownFiles()) {
  const text = readFileSync(join(root, file), 'utf8');
  for (const block of codeBlocks(file, text, problems)) {
    if (!LANGS.has(block.lang)) continue;
    const unknown = block.flags.filter((f) => !FLAGS.has(f));
    if (unknown.length > 0) {
      problems.push(`${file}:${block.line - 1}: unknown fence flag(s) ${unknown.join(' ')} (known: ${[...FLAGS].join(', ')})`);
      continue;
    }
    if (block.flags.includes('no-check')) {
      skipped++;
      continue;
    }
    if (block.code.trim() === '') {
      problems.push(`${file}:${block.line - 1}: an empty TypeScript block`);
      continue;
    }
    examples.push(block);
  }
}

rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'README.txt'), 'Written by scripts/check-doc-examples.mjs on every run; not to be edited.\n');
const byPath = new Map();
for (const ex of examples) {
  const name = `${ex.file.replace(/\.md$/, '').replace(/[^A-Za-z0-9]+/g, '-')}-L${ex.line}.ts`;
  const path = join(outDir, name);
  writeFileSync(path, ex.code);
  byPath.set(resolve(path), ex);
}

const parsed = ts.getParsedCommandLineOfConfigFile(configPath, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => problems.push(flatten(d)) });
if (!parsed) fail();
const configErrors = parsed.errors.filter((d) => d.code !== 18003); // 18003: no inputs (no examples yet)
const program = ts.createProgram({ rootNames: [...byPath.keys()], options: parsed.options });
const diagnostics = [...configErrors, ...ts.getPreEmitDiagnostics(program)];

const failedBlocks = new Set();
for (const d of diagnostics) {
  const ex = d.file && byPath.get(resolve(d.file.fileName));
  if (ex && d.start !== undefined) {
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
    problems.push(`${ex.file}:${ex.line + line}:${character + 1}: TS${d.code}: ${flatten(d)}`);
    failedBlocks.add(ex);
  } else if (d.file && d.start !== undefined) {
    // An error outside the examples (in lib/, say) leaves them unchecked: report it as it is.
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
    problems.push(`${relative(root, d.file.fileName)}:${line + 1}:${character + 1}: TS${d.code}: ${flatten(d)}`);
  } else {
    problems.push(`TS${d.code}: ${flatten(d)}`);
  }
}

problems.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
summary = `doc examples: ${examples.length} checked, ${failedBlocks.size} failed, ${skipped} marked no-check`;
if (problems.length > 0) fail();
console.log(summary);

function flatten(d) {
  return ts.flattenDiagnosticMessageText(d.messageText, '\n    ');
}

function fail() {
  for (const p of problems) console.error(p);
  console.error(summary ?? 'doc examples: not checked');
  process.exit(1);
}
