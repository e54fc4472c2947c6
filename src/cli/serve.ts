/** `livehook serve` (what `npm start` runs): start, and stop cleanly on SIGTERM/SIGINT. */
import { startService } from '../service';
import type { CliIo } from './io';

export async function serve(io: CliIo): Promise<number> {
  const service = await startService({ env: io.env });
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals): void => {
      if (stopping) {
        service.logger.warn({ signal }, 'second signal: exiting now');
        process.exit(1);
      }
      stopping = true;
      service.logger.info({ signal }, 'stopping: finishing in-flight requests and deliveries');
      void service.close().then(resolve);
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
  return 0;
}
