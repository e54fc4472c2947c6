/**
 * µs per operation of the ingest hot path's pure steps, on the seed
 * destroy-room body (its 18-digit Owner_Account forces the lossless slow
 * path) and on the production capture (no big ids: fast path).
 * Run: node src/bin/run-ts.js test/bench/callbacks-bench.ts
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildEvent } from '../../src/callbacks/build-event';
import { parseJsonLossless } from '../../src/callbacks/lossless-json';
import { commandSpec } from '../../src/callbacks/schemas';

const fixtures = join(__dirname, '..', '..', '..', 'shared', 'fixtures');
const seed = readFileSync(join(fixtures, 'destroy-room.seed-example.json'), 'utf8');
const capture = readFileSync(join(fixtures, 'destroy-room.production-capture.json'), 'utf8');
const query = { SdkAppid: '1400000001', CallbackCommand: 'Live.CallbackAfterDestroyRoom', contenttype: 'json', ClientIP: '0.0.0.0', OptPlatform: 'RESTAPI' };
const destroySchema = commandSpec('Live.CallbackAfterDestroyRoom')!.schema;

function measure(name: string, op: () => unknown, iterations = 50_000): number {
  for (let i = 0; i < 5_000; i++) op();
  let best = Infinity;
  for (let round = 0; round < 5; round++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) op();
    const us = Number(process.hrtime.bigint() - start) / 1e3 / iterations;
    best = Math.min(best, us);
  }
  console.log(`${name.padEnd(44)} ${best.toFixed(2).padStart(7)} µs/op`);
  return best;
}

export function runCallbacksBench(): void {
  measure('JSON.parse (seed, lossy, for reference)', () => JSON.parse(seed));
  measure('parseJsonLossless (seed, big id)', () => parseJsonLossless(seed));
  measure('parseJsonLossless (capture, fast path)', () => parseJsonLossless(capture));
  const parsedSeed = parseJsonLossless(seed);
  measure('joi validate destroy-room (seed)', () => destroySchema.validate(parsedSeed));
  measure('buildEvent (seed)', () => buildEvent({ raw: seed, query, receivedAt: 0 }));
  measure('buildEvent (capture)', () => buildEvent({ raw: capture, query, receivedAt: 0 }));
}

// Run when started directly (run-ts.js loads it with require, so require.main is the runner).
if (process.argv[1] && resolve(process.argv[1]) === __filename) runCallbacksBench();
