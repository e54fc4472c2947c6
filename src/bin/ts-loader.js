'use strict';
/*
 * Runs .ts files with no build step, compiled once.
 *
 * `require` of a .ts file compiles it with @swc/core (types stripped,
 * decorators with their metadata, so tsyringe can inject by type) and keeps
 * the result in a cache keyed by the file's path and content: the next start
 * reads JavaScript and never loads the compiler. `npm ci` fills the cache for
 * the service and the built-in plugins (src/bin/precompile.js); a plugin
 * dropped in later is compiled on its first load, then cached too.
 *
 * Every thread and process of livehook (the service, the SQLite writer, each
 * plugin's isolate) installs this same hook: a worker thread does not inherit
 * the require hooks of the thread that started it.
 *
 * The cache lives in node_modules/.cache/livehook (LIVEHOOK_COMPILE_CACHE
 * overrides it). When it cannot be written (a read-only install, a plugin
 * under Node's permission model) files are compiled in memory instead:
 * slower to start, never wrong.
 *
 * The compiler is a native addon that must not be loaded in a worker thread
 * (it crashes the process once one thread that loaded it has ended), so a
 * plugin's isolate asks the main thread to compile for it
 * (useRemoteCompiler, see src/isolate/compile-bridge.ts).
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

/** Bump when the compile options change: old cache entries are then ignored. */
const LOADER_VERSION = '1';

const ROOT = path.resolve(__dirname, '..', '..');
const CACHE_DIR = process.env.LIVEHOOK_COMPILE_CACHE || path.join(ROOT, 'node_modules', '.cache', 'livehook');

/** What the project's tsconfig says, in swc's words (experimentalDecorators, emitDecoratorMetadata, ES2022, CommonJS). */
function swcOptions(filename) {
  return {
    filename,
    jsc: {
      // Plain JavaScript (a plugin's .js file that uses import(), see module-guard.ts) with the JavaScript parser.
      parser: /\.[cm]?js$/.test(filename) ? { syntax: 'ecmascript', dynamicImport: true } : { syntax: 'typescript', decorators: true, dynamicImport: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
    inlineSourcesContent: false,
    swcrc: false,
    configFile: false,
  };
}

let swc = null;
let cacheWritable = true;
/** In a worker thread: compiles through the main thread, synchronously. */
let remoteCompile = null;

function compile(source, filename) {
  if (remoteCompile) return remoteCompile(filename, source);
  swc ??= require('@swc/core');
  try {
    return swc.transformSync(source, swcOptions(filename)).code;
  } catch (err) {
    throw readableSyntaxError(err);
  }
}

/**
 * swc's message is the code frame, then "Caused by:" and the compiler's own
 * native stack ("Stack backtrace: ... _ZN6v8impl..."): keep the code frame.
 */
function readableSyntaxError(err) {
  const message = typeof err === 'string' ? err : err instanceof Error ? err.message : String(err);
  const frame = message.split(/\n\s*\n\s*Caused by:/)[0].replace(/\s+$/, '');
  const error = new Error(frame);
  if (err instanceof Error) error.cause = err;
  return error;
}

/** From now on this thread compiles through `fn(filename, source) => code` instead of loading the compiler. */
function useRemoteCompiler(fn) {
  remoteCompile = fn;
}

/**
 * Every .ts file under `dir` (not node_modules) into the cache: what a
 * thread started later will load. A file that does not compile throws, or
 * goes to `onError` and the others go on.
 */
function precompileTree(dir, onError) {
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) precompileTree(full, onError);
    else if (entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
      try {
        compiled(full, fs.readFileSync(full, 'utf8'));
      } catch (err) {
        if (!onError) throw err;
        onError(full, err);
      }
    }
  }
}

function cacheFile(filename, source) {
  const key = crypto.createHash('sha256').update(LOADER_VERSION).update('\0').update(filename).update('\0').update(source).digest('hex');
  return path.join(CACHE_DIR, key.slice(0, 2), `${key.slice(2, 40)}.js`);
}

/** The compiled JavaScript of a .ts file: from the cache, else compiled (and cached when possible). */
function compiled(filename, source) {
  const file = cacheFile(filename, source);
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    // not cached yet (or the cache is unreadable): compile below
  }
  const code = compile(source, filename);
  if (cacheWritable) {
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      // Written aside and renamed: a process reading the cache never sees half a file.
      const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
      fs.writeFileSync(tmp, code);
      fs.renameSync(tmp, file);
    } catch {
      cacheWritable = false;
    }
  }
  return code;
}

function loadTypeScript(module, filename) {
  module._compile(compiled(filename, fs.readFileSync(filename, 'utf8')), filename);
}

/** Installs the .ts hook in this thread (idempotent). */
function installTypeScript() {
  if (require.extensions['.ts'] === loadTypeScript) return;
  require.extensions['.ts'] = loadTypeScript;
  // Stack traces point into the .ts files (the compiled code carries inline source maps).
  process.setSourceMapsEnabled(true);
}

module.exports = { installTypeScript, compiled, precompileTree, useRemoteCompiler, CACHE_DIR, ROOT };
