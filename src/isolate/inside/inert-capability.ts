/**
 * A capability that exists but does nothing: what `livehook config check`
 * injects for the capabilities that need the store, so that a handler can be
 * constructed and its `check` run without opening the database. Using one is
 * a plugin that does I/O in its constructor, which the message says.
 */
import { LivehookError } from '../../errors';

export function inertCapability(plugin: string, capability: string): object {
  return new Proxy(
    {},
    {
      get(_target, property) {
        if (property === 'then' || typeof property === 'symbol') return undefined; // not a promise, not iterable
        return () => {
          throw new LivehookError(
            'PLUGIN_FAILED',
            `plugin "${plugin}" used its "${capability}" capability (${String(property)}) while livehook was only checking its configuration: do I/O in init() or handle(), not in the constructor`,
            { plugin, capability },
          );
        };
      },
    },
  );
}
