// A Jest transformer: turns a CommonJS package that requires Nest (@nestjs/throttler) into one ES
// module, for the ESM Jest run on Nest 12. Nest 12 is ESM only; plain Node (>= 20.19) lets a
// CommonJS package require() it, but Jest's CommonJS runtime cannot (it needs Node 24.9+), so the
// package is served to Jest as ESM instead: each of its files wrapped as a CommonJS function, its
// require()s of other packages turned into imports, its exports found by cjs-module-lexer (as
// Node finds them). jest.config.ts maps the package's name to a stub .mjs whose first line names it.
import { initSync, parse } from 'cjs-module-lexer';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const self = fileURLToPath(import.meta.url);

initSync();

/** The package a stub names: `// cjs-package-as-esm: @nestjs/throttler`. */
function packageOf(stub) {
  const m = /^\/\/ cjs-package-as-esm: (\S+)/.exec(stub);
  if (!m) throw new Error('cjs-package-as-esm: the stub must start with `// cjs-package-as-esm: <package>`');
  return m[1];
}

function distOf(stubPath, name) {
  const pkgJson = require.resolve(`${name}/package.json`, { paths: [dirname(stubPath)] });
  const pkg = JSON.parse(readFileSync(pkgJson, 'utf8'));
  return { root: dirname(pkgJson), main: (pkg.main ?? 'index.js').replace(/^\.\//, ''), version: pkg.version };
}

function convert(stub, stubPath) {
  const { root, main } = distOf(stubPath, packageOf(stub));
  const dir = join(root, dirname(main));
  const files = readdirSync(dir).filter((f) => f.endsWith('.js'));
  const sources = new Map(files.map((f) => [`./${f.slice(0, -3)}`, readFileSync(join(dir, f), 'utf8')]));
  const externals = new Set();
  for (const src of sources.values()) for (const m of src.matchAll(/require\("([^".][^"]*)"\)/g)) externals.add(m[1]);
  // Exports as Node's loader sees them: named exports plus those of re-exported files, recursively.
  const names = new Set();
  const collect = (id, seen = new Set()) => {
    if (seen.has(id)) return;
    seen.add(id);
    const { exports, reexports } = parse(sources.get(id));
    for (const e of exports) if (e !== '__esModule' && e !== 'default') names.add(e);
    for (const r of reexports) collect(r.replace(/\.js$/, ''), seen);
  };
  const entry = `./${main.split('/').pop().replace(/\.js$/, '')}`;
  collect(entry);
  const ext = [...externals];
  return [
    ...ext.map((e, i) => `import * as __ext${i} from ${JSON.stringify(e)};`),
    `const __externals = { ${ext.map((e, i) => `${JSON.stringify(e)}: __ext${i}`).join(', ')} };`,
    'const __files = {',
    ...[...sources].map(([id, src]) => `${JSON.stringify(id)}: function (exports, require, module) {\n${src.replace(/^\/\/# sourceMappingURL=.*$/m, '')}\n},`),
    '};',
    'const __cache = {};',
    'function __require(id) {',
    '  if (id in __externals) return __externals[id];',
    "  const key = id.replace(/\\.js$/, '');",
    '  if (!(key in __cache)) {',
    '    const module = { exports: {} };',
    '    __cache[key] = module;',
    '    __files[key].call(module.exports, module.exports, __require, module);',
    '  }',
    '  return __cache[key].exports;',
    '}',
    `const __main = __require(${JSON.stringify(entry)});`,
    `export const { ${[...names].join(', ')} } = __main;`,
    'export default __main;',
  ].join('\n');
}

export default {
  process(sourceText, sourcePath) {
    return { code: convert(sourceText, sourcePath) };
  },
  getCacheKey(sourceText, sourcePath) {
    const { version } = distOf(sourcePath, packageOf(sourceText));
    return createHash('sha256').update(readFileSync(self)).update(sourceText).update(sourcePath).update(version).digest('hex');
  },
};
