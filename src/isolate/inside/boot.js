'use strict';
/*
 * Entry point of a plugin's isolate (a worker thread; see isolate-main.ts).
 * A worker thread inherits neither the require hooks nor the host modules of
 * the thread that started it: install them first.
 */
const fs = require('node:fs');
const path = require('node:path');

require('../../bin/register');
const { workerData } = require('node:worker_threads');
// This thread never loads the compiler: the main thread compiles for it (see compile-bridge.ts).
require('../../bin/ts-loader').useRemoteCompiler(require('../compile-bridge.ts').compileThroughMain(workerData.compile));

// A worker's process.stdout and stderr are pipes through the thread that
// started it: every line a plugin prints (the logging plugin prints one per
// event) would cost the ingest thread a message. Write to the descriptors
// directly instead, as the ingest thread's own logger does.
for (const [name, fd] of [['stdout', 1], ['stderr', 2]]) {
  process[name].write = function writeToFd(chunk, encoding, callback) {
    if (typeof encoding === 'function') {
      callback = encoding;
      encoding = undefined;
    }
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, encoding || 'utf8') : chunk;
    let written = 0;
    while (written < bytes.length) {
      try {
        written += fs.writeSync(fd, bytes, written, bytes.length - written);
      } catch (err) {
        // A non-blocking pipe that is full: wait a moment and go on.
        if (err.code !== 'EAGAIN') throw err;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
      }
    }
    if (callback) process.nextTick(callback);
    return true;
  };
}

require(path.join(__dirname, 'isolate-main.ts'));
