/** `livehook serve` (what `npm start` runs): start, and stop cleanly on SIGTERM/SIGINT. */
import { startService, type RunningService } from '../service';
import type { CliIo } from './io';

export async function serve(io: CliIo): Promise<number> {
  // Handlers first: a signal that arrives while the service starts still gets a clean stop.
  let service: RunningService | null = null;
  let stopRequested: NodeJS.Signals | null = null;
  let exitCode = 0;
  let stopped!: () => void;
  const done = new Promise<void>((resolve) => (stopped = resolve));
  const stop = (signal: NodeJS.Signals): void => {
    if (stopRequested) {
      service?.logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopRequested = signal;
    if (service) shutdown(service, signal);
  };
  const shutdown = (running: RunningService, signal: NodeJS.Signals): void => {
    running.logger.info({ signal }, 'stopping: finishing in-flight requests and deliveries');
    void running.close().then(stopped);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);

  service = await startService({
    env: io.env,
    // Crash-only: a store that cannot write any more is not repaired in place. Stop
    // cleanly and exit non-zero, so systemd (Restart=on-failure) or the orchestrator
    // starts a fresh process; meanwhile Tencent retries what got 500.
    onFatal: (reason) => {
      if (stopRequested || !service) return;
      exitCode = 1;
      stopRequested = 'SIGTERM';
      service.logger.fatal({ err: reason }, 'the store can no longer write: stopping so that livehook is restarted');
      shutdown(service, 'SIGTERM');
    },
  });
  if (stopRequested) shutdown(service, stopRequested);
  await done;
  // Stopped: nothing may keep the process alive past its grace (a supervisor's stop time-out is counting).
  setTimeout(() => process.exit(exitCode), 200).unref();
  return exitCode;
}
