/**
 * The `fs` a plugin gets: the real module, except that, without the "fs"
 * grant, every call that writes (creates, changes, moves or deletes a file or
 * folder, opens one to write, a WriteStream) must stay inside the plugin's
 * data dir, a symbolic link there included, and it closes only descriptors
 * it opened (closing the service's stderr or database file would take the
 * service down); and without the "env" grant it cannot read a process's
 * environment from /proc (the service's tokens are there). Other reads are
 * untouched.
 */
import fs from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LivehookError } from '../../errors';
import { optionsFd, stdioCall, streamFd } from './stdio-fd-writes';

export interface FsRules {
  plugin: string;
  /** <data dir>/plugins/<name> */
  dataDir: string;
  /** The plugin's config file, for the message. */
  file: string;
  /** Granted "fs": writes go anywhere. */
  writeAnywhere: boolean;
  /** Granted "env": it may read /proc/<pid>/environ. */
  readEnviron: boolean;
}

/** Functions whose arguments at these positions are paths written to. */
const WRITES: Readonly<Record<string, readonly number[]>> = {
  appendFile: [0],
  writeFile: [0],
  mkdir: [0],
  mkdtemp: [0],
  rm: [0],
  rmdir: [0],
  unlink: [0],
  rename: [0, 1],
  copyFile: [1],
  cp: [1],
  symlink: [1],
  // A hard link to a file outside would let writes through it change that file.
  link: [0, 1],
  truncate: [0],
  chmod: [0],
  lchmod: [0],
  chown: [0],
  lchown: [0],
  utimes: [0],
  lutimes: [0],
  createWriteStream: [0],
};

/** Functions whose arguments at these positions are paths read from. */
const READS: Readonly<Record<string, readonly number[]>> = {
  readFile: [0],
  createReadStream: [0],
  copyFile: [0],
  cp: [0],
  open: [0],
  openAsBlob: [0],
};

/** Functions that write to a file descriptor (argument 0): only to one this guard opened. */
const FD_WRITES = new Set(['write', 'writev', 'ftruncate', 'fchmod', 'fchown', 'futimes']);

/** FileHandle methods that change the file (a handle opened to read can chmod, chown and utimes it). */
const HANDLE_WRITES: ReadonlySet<string> = new Set(['write', 'writev', 'writeFile', 'appendFile', 'truncate', 'chmod', 'chown', 'utimes', 'createWriteStream']);
/** FileHandle methods that return a stream (synchronously), which would carry the real handle as its fd. */
const HANDLE_STREAMS: ReadonlySet<string> = new Set(['createWriteStream', 'createReadStream', 'readLines', 'readableWebStream']);

/** Flags of open() that write. */
const WRITE_FLAGS = /[wa+]/;
const WRITE_BITS = fs.constants.O_WRONLY | fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_TRUNC | fs.constants.O_APPEND;

/** A process's environment: /proc/self/environ, /proc/<pid>/environ, a thread's. */
const ENVIRON = /^\/proc\/[^/]+\/(task\/[^/]+\/)?environ$/;

export function guardedFs(real: object, rules: FsRules): object {
  const allowed = realPathOfParent(path.resolve(rules.dataDir));
  const pathOf = (target: unknown): string | null => {
    if (typeof target === 'number') return null; // a file descriptor: see checkFd
    const file = target instanceof URL ? urlPath(target) : Buffer.isBuffer(target) ? target.toString() : typeof target === 'string' ? target : null;
    return file === null ? null : realPathOfParent(followLink(path.resolve(file))); // null: not a path, fs itself refuses it
  };
  const checkWrite = (fn: string, target: unknown): void => {
    if (typeof target === 'number') return checkFd(fn, target); // writeFile(fd), appendFile(fd)
    const resolved = rules.writeAnywhere ? null : pathOf(target);
    if (resolved === null || resolved === allowed || resolved.startsWith(allowed + path.sep)) return;
    throw new LivehookError(
      'PLUGIN_CAPABILITY_DENIED',
      `plugin "${rules.plugin}" may not write ${resolved} (fs.${fn}): without the "fs" grant a plugin writes only under its data dir ${allowed}; add "fs" to "capabilities" in ${rules.file} to allow it`,
      { plugin: rules.plugin, module: 'fs', grant: 'fs', path: resolved },
    );
  };
  const checkRead = (fn: string, target: unknown): void => {
    const resolved = rules.readEnviron ? null : pathOf(target);
    if (resolved === null || !ENVIRON.test(resolved)) return;
    throw new LivehookError(
      'PLUGIN_CAPABILITY_DENIED',
      `plugin "${rules.plugin}" may not read ${resolved} (fs.${fn}): a process's environment holds the service's secrets; add "env" to "capabilities" in ${rules.file} to allow it`,
      { plugin: rules.plugin, module: 'fs', grant: 'env', path: resolved },
    );
  };
  const writeFlags = (flags: unknown): boolean => (typeof flags === 'string' ? WRITE_FLAGS.test(flags) : typeof flags === 'number' && (flags & WRITE_BITS) !== 0);
  /** open() writes only with write flags; every other function of WRITES (and WriteStream) writes. */
  const writes = (base: string, args: unknown[]): boolean => base !== 'open' || writeFlags(args[1]);
  /** A read that carries write flags in its options (readFile(f, { flag: 'w+' }), createReadStream(f, { flags: 'r+' })). */
  const readWrites = (args: unknown[]): boolean =>
    args.some((a) => a !== null && typeof a === 'object' && !Buffer.isBuffer(a) && writeFlags((a as { flag?: unknown; flags?: unknown }).flag ?? (a as { flags?: unknown }).flags));

  const isInside = (target: unknown): boolean => {
    const resolved = pathOf(target);
    return resolved !== null && (resolved === allowed || resolved.startsWith(allowed + path.sep));
  };
  /**
   * Descriptors opened through this guard on files under the data dir (and 0-2): the only ones
   * a plugin without "fs" may write to. One opened to read a file elsewhere is not: fchmod,
   * fchown and futimes work on it all the same.
   */
  const ours = new Set<number>([0, 1, 2]);
  /** Every descriptor opened through this guard, to read or to write: the only ones a plugin without "fs" may close. */
  const opened = new Set<number>();
  /** close(fd), and a read stream on fd, which closes it when it ends or is destroyed. */
  const checkClose = (fn: string, fd: unknown, how = 'close'): void => {
    if (rules.writeAnywhere || typeof fd !== 'number' || opened.has(fd)) return;
    const what = how === 'close' ? `close file descriptor ${fd}` : `read file descriptor ${fd} through a stream, which closes it at its end`;
    throw new LivehookError(
      'PLUGIN_CAPABILITY_DENIED',
      `plugin "${rules.plugin}" may not ${what} (fs.${fn}): it did not open it (the service's output, its database or a connection would be gone); add "fs" to "capabilities" in ${rules.file} to allow it`,
      { plugin: rules.plugin, module: 'fs', grant: 'fs' },
    );
  };
  const checkFd = (fn: string, fd: unknown): void => {
    if (rules.writeAnywhere || typeof fd !== 'number' || ours.has(fd)) return;
    throw new LivehookError(
      'PLUGIN_CAPABILITY_DENIED',
      `plugin "${rules.plugin}" may not write to file descriptor ${fd} (fs.${fn}): it did not open it; without the "fs" grant a plugin writes only to files it opened under its data dir ${allowed}; add "fs" to "capabilities" in ${rules.file} to allow it`,
      { plugin: rules.plugin, module: 'fs', grant: 'fs' },
    );
  };
  /** Remembers the descriptor a call opened on a file under the data dir, whichever way it hands it back. */
  // A descriptor number is used again once closed: what it is now decides, not what it was.
  const mark = (fd: unknown, inside: boolean): void => {
    if (typeof fd !== 'number') return;
    opened.add(fd);
    if (inside) ours.add(fd);
    else if (fd > 2) ours.delete(fd);
  };
  const disown = (fd: unknown): void => {
    if (typeof fd !== 'number') return;
    opened.delete(fd);
    if (fd > 2) ours.delete(fd);
  };
  const keepFd = (base: string, args: unknown[], result: unknown): unknown => {
    if (base === 'close') {
      disown(args[0]);
      return result;
    }
    const inside = rules.writeAnywhere || isInside(args[0]);
    if (base === 'open') {
      if (!(result instanceof Promise)) {
        mark(result, inside);
        return result;
      }
      // fs.promises.open: a FileHandle, whose own chmod, write... bypass the descriptor check.
      return result.then((handle: FileHandle) => {
        mark(handle.fd, inside);
        if (!inside) return readOnlyHandle(handle, pathOf(args[0]) ?? String(args[0]));
        const close = handle.close.bind(handle);
        const fd = handle.fd;
        handle.close = () => (disown(fd), close());
        return handle;
      });
    }
    if (result && typeof (result as { once?: unknown }).once === 'function') {
      const stream = result as { once(event: string, listener: (fd: number) => void): void; fd?: unknown };
      stream.once('open', (fd) => {
        mark(fd, inside);
        if (inside) stream.once('close', () => disown(fd));
      });
    }
    return result;
  };
  const keepFdInCallback = (base: string, args: unknown[]): unknown[] => {
    const last = args.length - 1;
    if (base !== 'open' || typeof args[last] !== 'function') return args;
    const inside = rules.writeAnywhere || isInside(args[0]);
    const callback = args[last] as (err: unknown, fd?: number) => void;
    return [...args.slice(0, last), (err: unknown, fd?: number) => (mark(fd, inside), callback(err, fd))];
  };
  /**
   * A FileHandle on a file outside the data dir: a plain object with its
   * reading methods, bound to the real handle, which it never hands out
   * (called on the real one, FileHandle.prototype.chmod would change the
   * file; a stream made from it carries it as its fd).
   */
  const readOnlyHandle = (handle: FileHandle, file: string): FileHandle => {
    const refused = (method: string) => () => {
      const refusal = new LivehookError(
        'PLUGIN_CAPABILITY_DENIED',
        HANDLE_WRITES.has(method)
          ? `plugin "${rules.plugin}" may not change ${file} (FileHandle.${method}): it opened it to read, outside its data dir ${allowed}; add "fs" to "capabilities" in ${rules.file} to allow it`
          : `plugin "${rules.plugin}" may not use FileHandle.${method} on ${file}, which it opened outside its data dir: read it with fs.createReadStream(path) or fs.readFile instead, or add "fs" to "capabilities" in ${rules.file}`,
        { plugin: rules.plugin, module: 'fs', grant: 'fs', path: file },
      );
      if (HANDLE_STREAMS.has(method)) throw refusal;
      return Promise.reject(refusal);
    };
    const bound = (method: keyof FileHandle) => (handle[method] as (...a: unknown[]) => unknown).bind(handle);
    const readOnly: Record<string | symbol, unknown> = {
      read: bound('read'),
      readv: bound('readv'),
      readFile: bound('readFile'),
      stat: bound('stat'),
      close: bound('close'),
      sync: bound('sync'),
      datasync: bound('datasync'),
    };
    Object.defineProperty(readOnly, 'fd', { get: () => handle.fd, enumerable: true });
    const dispose = (handle as unknown as Record<symbol, unknown>)[Symbol.asyncDispose ?? Symbol.for('nodejs.asyncDispose')];
    if (typeof dispose === 'function') readOnly[Symbol.asyncDispose ?? Symbol.for('nodejs.asyncDispose')] = dispose.bind(handle);
    for (const method of new Set([...HANDLE_WRITES, ...HANDLE_STREAMS])) readOnly[method] = refused(method);
    return readOnly as unknown as FileHandle;
  };

  const wrap = (target: Record<string, unknown>, name: string, value: unknown): unknown => {
    if (typeof value !== 'function') return value;
    // FileReadStream and FileWriteStream: older names of the same classes.
    const base = name.replace(/Sync$/, '').replace(/^File(Read|Write)Stream$/, '$1Stream');
    const writePositions = base === 'open' || base === 'WriteStream' ? [0] : WRITES[base];
    const readPositions = base === 'ReadStream' ? [0] : READS[base];
    const fdWrite = FD_WRITES.has(base);
    if (!writePositions && !readPositions && !fdWrite && base !== 'close') return value;
    const guard = (args: unknown[]): void => {
      if (base === 'close') checkClose(name, args[0]);
      if (base === 'createReadStream' || base === 'ReadStream') checkClose(name, optionsFd(args), 'stream');
      if (fdWrite) checkFd(name, args[0]);
      // createWriteStream(null, { fd }): the descriptor, not the path, is where it writes.
      const writeStreamFd = streamFd(base, args);
      if (writeStreamFd !== null) checkFd(name, writeStreamFd);
      if (writePositions && writes(base, args)) for (const i of writePositions) checkWrite(name, args[i]);
      if (readPositions) for (const i of readPositions) checkRead(name, args[i]);
      if (readPositions && !writePositions && readWrites(args)) checkWrite(name, args[0]);
    };
    // The stream classes are called with new (and without): both are guarded.
    return new Proxy(value as (...a: unknown[]) => unknown, {
      apply(fn, _this, args: unknown[]) {
        const stdio = stdioCall(base, name, args);
        if (stdio) return stdio.result;
        guard(args);
        return keepFd(base, args, Reflect.apply(fn, target, keepFdInCallback(base, args)));
      },
      construct(fn, args: unknown[], newTarget) {
        const stdio = stdioCall(base, name, args);
        if (stdio) return stdio.result as object;
        guard(args);
        return keepFd(base, args, Reflect.construct(fn, args, newTarget === undefined ? fn : (newTarget as new (...a: unknown[]) => object))) as object;
      },
    });
  };

  const proxy = (target: Record<string, unknown>): object =>
    new Proxy(target, {
      get(obj, property, receiver) {
        const value = Reflect.get(obj, property, receiver);
        if (property === 'promises' && value && typeof value === 'object') return proxy(value as Record<string, unknown>);
        return typeof property === 'string' ? wrap(obj, property, value) : value;
      },
    });
  return proxy(real as Record<string, unknown>);
}

/** The file a file: URL names, its %-escapes decoded as fs decodes them; null for another kind of URL (fs refuses it). */
function urlPath(url: URL): string | null {
  try {
    return fileURLToPath(url);
  } catch {
    return null;
  }
}

/** Where a symbolic link at `file` leads, a dangling one too (realpath cannot follow those), else `file`. */
function followLink(file: string, depth = 0): string {
  try {
    if (depth < 40 && fs.lstatSync(file).isSymbolicLink()) return followLink(path.resolve(path.dirname(file), fs.readlinkSync(file)), depth + 1);
  } catch {
    // nothing there yet: the path is what it says
  }
  return file;
}

/** The path with its deepest existing folder resolved through symlinks (a link cannot carry a write outside). */
function realPathOfParent(file: string): string {
  let dir = file;
  const rest: string[] = [];
  for (;;) {
    try {
      return path.join(fs.realpathSync(dir), ...rest.reverse());
    } catch {
      const parent = path.dirname(dir);
      if (parent === dir) return file;
      rest.push(path.basename(dir));
      dir = parent;
    }
  }
}
