'use strict';
/*
 * Entry point of the SQLite store's writer thread (see sqlite-writer.ts).
 * A worker thread does not inherit the require hooks of the thread that
 * started it: install the TypeScript hook (compiled files come from the
 * cache, so this costs a few ms), then run the writer.
 */
const path = require('node:path');
require('../../bin/ts-loader').installTypeScript();
require(path.join(__dirname, 'writer-thread.ts'));
