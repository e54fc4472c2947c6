/**
 * Node's permission model refuses with a bare "Access to this API has been
 * restricted" (ERR_ACCESS_DENIED), from deep in our own files. A plugin's
 * author and its operator read the refusal in the module guard's words
 * instead: which plugin, what was refused, and the grant that allows it.
 */
import { LivehookError } from '../../errors';
import type { ModuleGrant } from '../../pipeline/plugin-contract';
import { readSafely } from '../inside/plain-failure';

interface Refused {
  what: (resource: string) => string;
  grant: ModuleGrant | null;
  why: string;
}

/** By the `permission` Node names on its error. */
const REFUSED: Readonly<Record<string, Refused>> = {
  FileSystemWrite: { what: (r) => `write ${r || 'a file'}`, grant: 'fs', why: 'under "isolation": "process" a plugin writes only under its data dir' },
  FileSystemRead: { what: (r) => `read ${r || 'a file'}`, grant: 'fs', why: "under \"isolation\": \"process\" a plugin reads only its own folder, the service's code and node_modules, and its data dir" },
  ChildProcess: { what: () => 'start a process', grant: 'child_process', why: 'Node\'s permission model refuses it under "isolation": "process"' },
  WorkerThreads: { what: () => 'start a worker thread', grant: 'worker_threads', why: 'Node\'s permission model refuses it under "isolation": "process"' },
  Inspector: { what: () => 'use the inspector', grant: null, why: 'Node\'s permission model refuses it to a child process whatever the grants: run the plugin with "isolation": "thread" and the "inspector" grant' },
};

/** The permission model's refusal told in words, or null for any other error (a thrown value that traps its reads included). */
export function permissionRefusal(err: unknown, plugin: string, file: string): LivehookError | null {
  return readSafely(() => refusalOf(err, plugin, file), null);
}

function refusalOf(err: unknown, plugin: string, file: string): LivehookError | null {
  const e = err as { code?: unknown; permission?: unknown; resource?: unknown } | null;
  if (!(err instanceof Error) || e === null) return null;
  if (e.code === 'ERR_DLOPEN_DISABLED') {
    return new LivehookError('PLUGIN_CAPABILITY_DENIED', `plugin "${plugin}" may not load a native addon: Node's permission model refuses addons under "isolation": "process"; add "addons" to "capabilities" in ${file} to allow it`, { plugin, grant: 'addons' }, { cause: err });
  }
  if (e.code !== 'ERR_ACCESS_DENIED') return null;
  const permission = typeof e.permission === 'string' ? e.permission : '';
  const resource = typeof e.resource === 'string' ? e.resource : '';
  const refused = REFUSED[permission];
  if (!refused) return new LivehookError('PLUGIN_CAPABILITY_DENIED', `plugin "${plugin}" was refused ${permission || 'an API'} by Node's permission model ("isolation": "process" in ${file})`, { plugin }, { cause: err });
  const fix = refused.grant === null ? '' : `; add "${refused.grant}" to "capabilities" in ${file} to allow it`;
  return new LivehookError('PLUGIN_CAPABILITY_DENIED', `plugin "${plugin}" may not ${refused.what(resource)}: ${refused.why}${fix}`, { plugin, grant: refused.grant, path: resource || undefined }, { cause: err });
}
