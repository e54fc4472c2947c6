import { LivehookError } from '../errors';

/** Why the port could not be had, in the operator's terms: which setting to change. */
export function listenError(err: NodeJS.ErrnoException, host: string, port: number): Error {
  const where = `${host}:${port}`;
  if (err.code === 'EADDRINUSE') return new LivehookError('PORT_UNAVAILABLE', `cannot listen on ${where}: another process uses that port (set PORT, or "port" in config/livehook.json, to another one)`, { port }, { cause: err });
  if (err.code === 'EACCES') return new LivehookError('PORT_UNAVAILABLE', `cannot listen on ${where}: this user may not use ports below 1024 (set PORT, or "port" in config/livehook.json, to 1024 or more)`, { port }, { cause: err });
  if (err.code === 'EADDRNOTAVAIL') return new LivehookError('PORT_UNAVAILABLE', `cannot listen on ${where}: this machine has no such address (set "host" in config/livehook.json)`, { port }, { cause: err });
  return err;
}
