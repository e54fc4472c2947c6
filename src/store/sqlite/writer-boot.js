'use strict';
/*
 * Entry point of the SQLite store's writer thread (see sqlite-writer.ts).
 *
 * A worker thread does not inherit the require hooks of the thread that
 * started it, so the .ts files it runs must be compiled here. The service's
 * loader (src/bin/register.js) takes ~200 ms to load in a new thread, because
 * @swc-node/register reads the tsconfig through TypeScript; that would be
 * paid by every store opened (each test, each CLI command). The writer's
 * files are plain TypeScript, no decorators, so @swc/core's transform alone
 * compiles them, and starts in ~15 ms.
 */
const fs = require('node:fs');
const path = require('node:path');

const entry = path.join(__dirname, 'writer-thread.ts');

if (!require.extensions['.ts']) {
  const swc = require('@swc/core');
  require.extensions['.ts'] = function compileTypeScript(module, filename) {
    const { code } = swc.transformSync(fs.readFileSync(filename, 'utf8'), {
      filename,
      jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
      module: { type: 'commonjs' },
      sourceMaps: 'inline',
    });
    module._compile(code, filename);
  };
}

require(entry);
