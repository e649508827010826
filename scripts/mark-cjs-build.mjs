// dist/cjs holds CommonJS files inside a "type": "module" package: a package.json of its own tells
// Node (and TypeScript, for the .d.ts files beside them) so.
import { writeFileSync } from 'node:fs';

writeFileSync(new URL('../dist/cjs/package.json', import.meta.url), `${JSON.stringify({ type: 'commonjs' }, null, 2)}\n`);
