/**
 * Deny by default: inside a plugin's isolate, the plugin's own code (its
 * folder, and every module it is the first to load) cannot load the
 * built-in modules that reach outside unless its config grants them:
 *
 *   child_process, cluster, node:test           grant "child_process" (node:test's
 *                                                run() starts processes)
 *   net, tls, http, https, http2, dgram, dns,    grant "net" (the global fetch too)
 *   Node's internal _http_* and _tls_*
 *   wasi                                         grant "fs"
 *   worker_threads, module.register              grant "worker_threads" (loader hooks
 *                                                run in a thread of their own, unguarded)
 *   inspector                                    grant "inspector" (a session on
 *                                                the service's main thread runs any code there)
 *   native addons (its own .node files,          grant "addons" (native code is beyond
 *   process.dlopen)                              any guard in JavaScript)
 *   fs writes outside <data dir>/plugins/<name>  grant "fs"
 *   reading /proc/<pid>/environ                 grant "env" (process.env is emptied too)
 *
 * A refusal is an error naming the plugin, the module and the grant that
 * would allow it. Reads with fs are allowed: a plugin's own files, its
 * templates, node_modules.
 *
 * This is a guard against mistakes and careless dependencies, enforced by
 * the module loader of a JavaScript isolate: code that sets out to escape it
 * can (a module the service loaded first, such as a database driver, is
 * handed over as it is). "isolation": "process" adds Node's permission model,
 * which the operating system's view of the process enforces.
 */
import fs from 'node:fs';
import Module from 'node:module';
import path from 'node:path';
import { ROOT, compiled } from '../../bin/ts-loader';
import { LivehookError } from '../../errors';
import type { ModuleGrant } from '../../pipeline/plugin-contract';
import { guardedFs, type FsRules } from './guarded-fs';

/** Built-in modules that reach outside, and the grant each needs. */
const GUARDED: Readonly<Record<string, ModuleGrant>> = {
  child_process: 'child_process',
  cluster: 'child_process',
  net: 'net',
  tls: 'net',
  http: 'net',
  https: 'net',
  http2: 'net',
  dgram: 'net',
  worker_threads: 'worker_threads',
  inspector: 'inspector',
  'inspector/promises': 'inspector',
  // Node's internal halves of http and tls, and name lookups, reach the network as well.
  _http_agent: 'net',
  _http_client: 'net',
  _http_common: 'net',
  _http_incoming: 'net',
  _http_outgoing: 'net',
  _http_server: 'net',
  _tls_common: 'net',
  _tls_wrap: 'net',
  dns: 'net',
  'dns/promises': 'net',
  // WASI hands a WebAssembly module the folders it is given, to write as it likes.
  wasi: 'fs',
};

/** Built-ins loaded only by their node: name (a bare "test" is a package of that name). */
const GUARDED_PREFIXED: Readonly<Record<string, ModuleGrant>> = {
  test: 'child_process',
  'test/reporters': 'child_process',
};

const FS_MODULES = new Set(['fs', 'fs/promises']);

/** Any mention of import (a comment between it and its parenthesis too): such a file is compiled, to be sure. */
const DYNAMIC_IMPORT = /\bimport\b/;

/** Internal bindings that reach outside as the modules above do (process.binding is deprecated, not gone). */
const GUARDED_BINDINGS: Readonly<Record<string, ModuleGrant>> = {
  spawn_sync: 'child_process',
  process_wrap: 'child_process',
  tcp_wrap: 'net',
  udp_wrap: 'net',
  pipe_wrap: 'net',
  tls_wrap: 'net',
  cares_wrap: 'net',
  fs: 'fs',
  inspector: 'inspector',
};

export interface GuardSettings {
  plugin: string;
  /** The plugin's folder: everything in it is the plugin's code. */
  dir: string;
  /** What config grants (module grants among them). */
  granted: readonly string[];
  /** The config file, for messages. */
  file: string;
  /** The one folder it may write to without the "fs" grant. */
  dataDir: string;
  /** Folders of the service itself (src/, the host modules): never the plugin's code. */
  hostDirs: readonly string[];
}

type Load = (request: string, parent: NodeJS.Module | undefined, isMain: boolean) => unknown;
interface ModuleInternals {
  _load: Load;
  _resolveFilename(request: string, parent: NodeJS.Module | undefined, isMain: boolean): string;
  _cache: Record<string, NodeJS.Module | undefined>;
}

export function installModuleGuard(settings: GuardSettings): void {
  const internals = Module as unknown as ModuleInternals;
  const granted = new Set(settings.granted);
  // Node names a module by its real path: a plugin folder that is a symlink must be compared as one.
  const pluginDir = withSep(realPath(settings.dir));
  const hostDirs = settings.hostDirs.map((d) => withSep(realPath(d)));
  const serviceModules = withSep(realPath(path.join(ROOT, 'node_modules')));
  /** Modules the plugin's code loaded first: their own requires count as the plugin's. */
  const owned = new Set<string>();
  const fsRules: FsRules = { plugin: settings.plugin, dataDir: settings.dataDir, file: settings.file, writeAnywhere: granted.has('fs'), readEnviron: granted.has('env') };
  const wrappedFs = new Map<string, unknown>();

  const isHost = (file: string): boolean => hostDirs.some((d) => file.startsWith(d));
  /** A file of the plugin's folder, or a module its code loaded first. */
  const isPluginFile = (file: string): boolean => !isHost(file) && (file.startsWith(pluginDir) || owned.has(file));
  const isPluginCode = (parent: NodeJS.Module | null | undefined): boolean => {
    // Node's own loads (the entry point) come without a parent; so does Module._load called by hand,
    // and a module object without a file name is no module of the service's either.
    if (!parent) return true;
    const file = parent.filename;
    if (!file) return true;
    if (isPluginFile(file)) return true;
    // A module the loader did not make for that file: module.createRequire(path), new Module(path).
    // Made for the service's own path, it would pass for the service; for any other path it is the
    // plugin's doing anyway.
    if (internals._cache[file] !== parent) return true;
    return !isHost(file) && !file.startsWith(serviceModules);
  };

  const refuse = (request: string, grant: ModuleGrant): never => {
    throw new LivehookError(
      'PLUGIN_CAPABILITY_DENIED',
      `plugin "${settings.plugin}" may not load "${request}": add "${grant}" to "capabilities" in ${settings.file} to allow it`,
      { plugin: settings.plugin, module: request, grant },
    );
  };

  /** A built-in module as the plugin's code gets it: refused without its grant, fs guarded; else undefined (not one of those). */
  const guardedBuiltin = (request: string, loadIt: () => unknown): unknown => {
    const prefixed = request.startsWith('node:');
    const bare = prefixed ? request.slice(5) : request;
    const grant = GUARDED[bare] ?? (prefixed ? GUARDED_PREFIXED[bare] : undefined);
    if (grant !== undefined && !granted.has(grant)) refuse(request, grant);
    if (!FS_MODULES.has(bare) || (fsRules.writeAnywhere && fsRules.readEnviron)) return undefined;
    let wrapped = wrappedFs.get(bare);
    if (wrapped === undefined) {
      wrapped = guardedFs(loadIt() as object, fsRules);
      wrappedFs.set(bare, wrapped);
    }
    return wrapped;
  };

  const load = internals._load;
  internals._load = function guardedLoad(this: unknown, request: string, parent: NodeJS.Module | undefined, isMain: boolean): unknown {
    if (!isPluginCode(parent)) return load.call(this, request, parent, isMain);
    const builtin = guardedBuiltin(request, () => load.call(this, request, parent, isMain));
    if (builtin !== undefined) return builtin;
    // Nothing to own without a parent (or its file name).
    if (!parent?.filename) return load.call(this, request, parent, isMain);
    if (!Module.isBuiltin(request)) {
      // A module first loaded by the plugin's code is the plugin's code too.
      try {
        const filename = internals._resolveFilename(request, parent, isMain);
        if (!internals._cache[filename] && !isHost(filename)) owned.add(filename);
      } catch {
        // not resolvable: the load below throws Node's own "Cannot find module"
      }
    }
    return load.call(this, request, parent, isMain);
  };

  // import() goes to Node's ESM loader, past _load: a .js file of the plugin's that uses it is
  // compiled as its .ts files are (to CommonJS, where import() is a require, so it is guarded too).
  const extensions = (Module as unknown as { _extensions: Record<string, (module: NodeJS.Module, filename: string) => void> })._extensions;
  const loadJs = extensions['.js']!;
  extensions['.js'] = function guardedJs(module: NodeJS.Module, filename: string): void {
    if (isPluginFile(filename)) {
      const source = fs.readFileSync(filename, 'utf8');
      if (DYNAMIC_IMPORT.test(source)) return (module as unknown as { _compile(code: string, file: string): void })._compile(compiled(filename, source), filename);
    }
    return loadJs(module, filename);
  };

  if (!granted.has('addons')) {
    // Node's own .node loader, with the dlopen kept here: the service's addons (SQLite) still load.
    const dlopen = process.dlopen.bind(process);
    extensions['.node'] = function guardedNode(module: NodeJS.Module, filename: string): void {
      if (isPluginFile(filename)) refuse(filename, 'addons');
      dlopen(module, path.toNamespacedPath(filename));
    };
    process.dlopen = () => refuse('process.dlopen', 'addons');
  }

  if (!granted.has('net')) {
    // The global fetch reaches outside without a require; the "http" capability
    // injects the platform's fetch, kept before this (see plugin-scope.ts).
    Reflect.deleteProperty(globalThis, 'fetch');
  }
  const withBinding = process as unknown as { binding(name: string): unknown };
  const binding = withBinding.binding.bind(process);
  withBinding.binding = (name: string): unknown => {
    const grant = GUARDED_BINDINGS[name];
    if (grant !== undefined && !granted.has(grant)) refuse(`process.binding('${name}')`, grant);
    return binding(name);
  };
  const report = process.report;
  if (report && !granted.has('env')) {
    // A diagnostic report lists the environment: the service's secrets.
    const getReport = report.getReport.bind(report);
    report.getReport = ((err?: Error) => {
      const made = getReport(err) as unknown as Record<string, unknown>;
      delete made.environmentVariables;
      return made;
    }) as typeof report.getReport;
  }
  if (report && !granted.has('fs')) report.writeReport = (() => refuse('process.report.writeReport', 'fs')) as typeof report.writeReport;

  // process.getBuiltinModule (Node 20.16+) hands out built-ins past the loader: held to the same rules.
  const withGetBuiltin = process as unknown as { getBuiltinModule?: (id: string) => unknown };
  const getBuiltin = withGetBuiltin.getBuiltinModule?.bind(process);
  if (getBuiltin) {
    withGetBuiltin.getBuiltinModule = (id: string): unknown => {
      const builtin = guardedBuiltin(String(id), () => getBuiltin(id));
      return builtin !== undefined ? builtin : getBuiltin(id);
    };
  }

  if (!granted.has('worker_threads')) {
    // Loader hooks run in a thread of their own that this guard does not hold: what they import is unguarded.
    (Module as unknown as { register?: unknown }).register = () => refuse('module.register', 'worker_threads');
  }

  if (!granted.has('child_process')) {
    // process.kill(process.pid) would take the whole service down; its internal twin _kill and abort() too.
    process.kill = () => refuse('process.kill', 'child_process');
    (process as unknown as { _kill: unknown })._kill = () => refuse('process._kill', 'child_process');
    process.abort = () => refuse('process.abort', 'child_process');
  }
}

function realPath(dir: string): string {
  try {
    return fs.realpathSync(dir);
  } catch {
    return path.resolve(dir);
  }
}

function withSep(dir: string): string {
  return dir.endsWith(path.sep) ? dir : dir + path.sep;
}
