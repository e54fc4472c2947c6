/**
 * Finds plugins: every folder in the plugins dir with an index.ts or
 * index.js. Loading a module runs its top level, so only plugins that config
 * enables are loaded (see plan-plugins.ts); a folder found is not a plugin run.
 *
 * An entry that cannot be looked at (a dangling symbolic link, a link loop,
 * no permission) is not a reason to stop the service: it is returned as
 * unreadable, with why, and plan-plugins decides: a warning when no config
 * enables that name, a refusal naming it when one does.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface FoundPlugin {
  /** The folder name; its config file is config/plugins/<name>.json. */
  name: string;
  dir: string;
  entry: string;
}

export interface UnreadableEntry {
  name: string;
  /** The entry's path in the plugins dir. */
  path: string;
  /** In words: "is a symbolic link to /x, which does not exist", "cannot be read (EACCES ...)". */
  reason: string;
}

export interface Discovery {
  found: FoundPlugin[];
  unreadable: UnreadableEntry[];
}

const ENTRY_FILES = ['index.ts', 'index.js', 'index.cjs'];

export function discoverPlugins(pluginsDir: string): Discovery {
  const discovery: Discovery = { found: [], unreadable: [] };
  if (!fs.existsSync(pluginsDir)) return discovery;
  for (const name of fs.readdirSync(pluginsDir).sort()) {
    if (name.startsWith('.')) continue;
    const dir = path.join(pluginsDir, name);
    let entry: string | undefined;
    try {
      if (!fs.statSync(dir).isDirectory()) continue;
      entry = ENTRY_FILES.map((f) => path.join(dir, f)).find((f) => isFile(f));
    } catch (err) {
      discovery.unreadable.push({ name, path: dir, reason: whyUnreadable(dir, err as NodeJS.ErrnoException) });
      continue;
    }
    if (entry) discovery.found.push({ name, dir, entry });
  }
  return discovery;
}

/** An entry file that is there: absent is false; present but unreadable (a dangling link) throws, to be reported. */
function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && !isLink(file)) return false;
    throw err;
  }
}

function isLink(file: string): boolean {
  try {
    return fs.lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}

function whyUnreadable(dir: string, err: NodeJS.ErrnoException): string {
  const broken = err.path && err.path !== dir ? err.path : dir;
  if (err.code === 'ENOENT' && isLink(broken)) return `${broken} is a symbolic link to ${fs.readlinkSync(broken)}, which does not exist`;
  if (err.code === 'ELOOP') return `${broken} is a loop of symbolic links`;
  return `${broken} cannot be read (${err.code ?? err.message})`;
}
