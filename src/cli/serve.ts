/** `livehook serve` (what `npm start` runs): start, and stop cleanly on SIGTERM/SIGINT. */
import { startService, type RunningService } from '../service';
import { println, type CliIo } from './io';
import { parseCommand } from './parse-command';

export const SERVE_USAGE = `usage: livehook serve

Runs the service: HTTP on PORT (default 8080), the store, every enabled
plugin. Stops cleanly on SIGTERM or SIGINT within delivery.shutdownGraceMs
(a second signal exits at once); SIGHUP reloads the plugin config files.
Under a supervisor (systemd, a container), run \`node src/bin/livehook.js serve\`
directly rather than \`npm start\`: npm does not pass SIGTERM on to it.`;

/** The command line: \`serve\` takes no flags but --help. */
export async function serveCommand(argv: string[], io: CliIo): Promise<number> {
  if (parseCommand({ name: 'serve', usage: SERVE_USAGE, options: {} }, argv).help) {
    println(io.stdout, SERVE_USAGE);
    return 0;
  }
  return serve(io);
}

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
