#!/usr/bin/env node
'use strict';
// Runs one TypeScript file with the service's loader (used by `npm run bench`).
const path = require('node:path');
require('./register');
const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: run-ts.js <file.ts> [args...]\n');
  process.exit(2);
}
process.argv.splice(1, 1);
require(path.resolve(file));
