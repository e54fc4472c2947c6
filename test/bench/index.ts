/**
 * `npm run bench` runs every benchmark; `npm run bench -- ingest` (or gifts,
 * rollup, callbacks) runs one. Figures, not pass/fail: see the README for targets.
 */
const wanted = process.argv.slice(2);
const want = (name: string): boolean => wanted.length === 0 || wanted.includes(name);

async function main(): Promise<void> {
  if (want('ingest')) {
    console.log('== ingest: /callback vs bare Koa (autocannon, 50 connections)');
    await (await import('./ingest-bench')).runIngestBench();
  }
  if (want('gifts')) {
    console.log('\n== gifts: Live.CallbackBeforeSendGift decided by gift-guard (50 connections, budget 1,500 ms)');
    await (await import('./gift-bench')).runGiftBench();
  }
  if (want('rollup')) {
    console.log('\n== rollup: one day of 1,000,000 stored rooms (target < 10 s)');
    await (await import('./rollup-bench')).runRollupBench();
  }
  if (want('start')) {
    console.log('\n== start: --help, and serve until /healthz answers (median of 7)');
    await (await import('./start-bench')).runStartBench();
  }
  if (want('callbacks')) {
    console.log('\n== callbacks: parse + validate per body');
    (await import('./callbacks-bench')).runCallbacksBench();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
