#!/usr/bin/env node
'use strict';
/*
 * Fills the compile cache (see ts-loader.js) for the service and the
 * plugins folder, so that the first start reads JavaScript instead of
 * loading the compiler. Run by `npm ci` / `npm install` (postinstall); safe
 * to run again at any time. Never fails the install: a file that does not
 * compile here fails the same way, with its message, when it is loaded.
 */
const path = require('node:path');
const { precompileTree, CACHE_DIR, ROOT } = require('./ts-loader');

let failed = false;
for (const dir of ['src', 'plugins']) {
  precompileTree(path.join(ROOT, dir), (file, err) => {
    failed = true;
    process.stderr.write(`livehook precompile: ${path.relative(ROOT, file)}: ${String(err.message).split('\n')[0]}\n`);
  });
}
process.stdout.write(`livehook: TypeScript of src/ and plugins/ compiled into ${path.relative(ROOT, CACHE_DIR)}${failed ? ' (a file failed, see above; it fails the same way when loaded)' : ''}\n`);
