/**
 * The `fs` a plugin without the "fs" grant gets: the real module, except
 * that every call that writes (creates, changes, moves or deletes a file or
 * folder) must stay inside the plugin's data dir. Reads are untouched.
 */
import fs from 'node:fs';
import path from 'node:path';
import { LivehookError } from '../../errors';

export interface FsRules {
  plugin: string;
  /** <data dir>/plugins/<name> */
  dataDir: string;
  /** The plugin's config file, for the message. */
  file: string;
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
  link: [1],
  truncate: [0],
  chmod: [0],
  lchmod: [0],
  chown: [0],
  lchown: [0],
  utimes: [0],
  lutimes: [0],
  createWriteStream: [0],
};

/** Flags of open() that write. */
const WRITE_FLAGS = /[wa+]/;

export function guardedFs(real: object, rules: FsRules): object {
  const allowed = realPathOfParent(path.resolve(rules.dataDir));
  const check = (fn: string, target: unknown): void => {
    if (typeof target === 'number') return; // a file descriptor: opened through this same guard
    const file = target instanceof URL ? target.pathname : Buffer.isBuffer(target) ? target.toString() : typeof target === 'string' ? target : null;
    if (file === null) return; // not a path: fs itself refuses it
    const resolved = realPathOfParent(path.resolve(file));
    if (resolved === allowed || resolved.startsWith(allowed + path.sep)) return;
    throw new LivehookError(
      'PLUGIN_CAPABILITY_DENIED',
      `plugin "${rules.plugin}" may not write ${resolved} (fs.${fn}): without the "fs" grant a plugin writes only under its data dir ${allowed}; add "fs" to "capabilities" in ${rules.file} to allow it`,
      { plugin: rules.plugin, module: 'fs', grant: 'fs', path: resolved },
    );
  };

  const wrap = (target: Record<string, unknown>, name: string, value: unknown): unknown => {
    if (typeof value !== 'function') return value;
    const base = name.replace(/Sync$/, '');
    const positions = WRITES[base];
    if (positions) {
      return function guarded(this: unknown, ...args: unknown[]) {
        for (const i of positions) check(name, args[i]);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    }
    if (base === 'open') {
      return function guardedOpen(this: unknown, ...args: unknown[]) {
        const flags = args[1];
        if (typeof flags === 'string' ? WRITE_FLAGS.test(flags) : typeof flags === 'number' && (flags & (fs.constants.O_WRONLY | fs.constants.O_RDWR | fs.constants.O_CREAT)) !== 0) {
          check(name, args[0]);
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    }
    return value;
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
