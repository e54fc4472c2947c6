/**
 * `npm run bench` runs every benchmark; `npm run bench -- ingest` (or rollup,
 * callbacks) runs one. Figures, not pass/fail: see the README for targets.
 */
const wanted = process.argv.slice(2);
const want = (name: string): boolean => wanted.length === 0 || wanted.includes(name);

async function main(): Promise<void> {
  if (want('ingest')) {
    console.log('== ingest: /callback vs bare Koa (autocannon, 50 connections)');
    await (await import('./ingest-bench')).runIngestBench();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
