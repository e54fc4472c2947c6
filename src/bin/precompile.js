#!/usr/bin/env node
'use strict';
/*
 * Fills the compile cache (see ts-loader.js) for the service and the
 * plugins folder, so that the first start reads JavaScript instead of
 * loading the compiler. Run by `npm ci` / `npm install` (postinstall); safe
 * to run again at any time. Never fails the install: a file that does not
 * compile here fails the same way, with its message, when it is loaded.
 */
const fs = require('node:fs');
const path = require('node:path');
const { compiled, CACHE_DIR, ROOT } = require('./ts-loader');

function* typeScriptFiles(dir) {
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* typeScriptFiles(full);
    else if (entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) yield full;
  }
}

let done = 0;
let failed = 0;
for (const dir of ['src', 'plugins'].map((d) => path.join(ROOT, d))) {
  for (const file of typeScriptFiles(dir)) {
    try {
      compiled(file, fs.readFileSync(file, 'utf8'));
      done++;
    } catch (err) {
      failed++;
      process.stderr.write(`livehook precompile: ${path.relative(ROOT, file)}: ${err.message.split('\n')[0]}\n`);
    }
  }
}
process.stdout.write(`livehook: ${done} TypeScript files compiled into ${path.relative(ROOT, CACHE_DIR)}${failed ? ` (${failed} failed, see above)` : ''}\n`);
