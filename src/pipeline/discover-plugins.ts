/**
 * Finds plugins: every folder in the plugins dir with an index.ts or
 * index.js. Loading a module runs its top level, so only plugins that config
 * enables are loaded (see plan-plugins.ts); a folder found is not a plugin run.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface FoundPlugin {
  /** The folder name; its config file is config/plugins/<name>.json. */
  name: string;
  dir: string;
  entry: string;
}

const ENTRY_FILES = ['index.ts', 'index.js', 'index.cjs'];

export function discoverPlugins(pluginsDir: string): FoundPlugin[] {
  if (!fs.existsSync(pluginsDir)) return [];
  const found: FoundPlugin[] = [];
  for (const name of fs.readdirSync(pluginsDir).sort()) {
    const dir = path.join(pluginsDir, name);
    if (name.startsWith('.') || !fs.statSync(dir).isDirectory()) continue;
    const entry = ENTRY_FILES.map((f) => path.join(dir, f)).find((f) => fs.existsSync(f));
    if (entry) found.push({ name, dir, entry });
  }
  return found;
}
