/**
 * A plugin's command that livehook does not know is taken as written: Tencent
 * adds commands, and a plugin may wait for one livehook has no schema for
 * yet. One that is a letter or two off a known command is a typo, though,
 * and would leave the plugin waiting for a callback that never comes, with
 * not a word said: that is refused, naming the command it almost is.
 */
import type { PluginSettings } from '../../config/plugin-settings';
import { KNOWN_COMMANDS, commandSpec } from '../../callbacks/schemas';
import { LivehookError } from '../../errors';
import { nearestName } from '../../util/edit-distance';

/**
 * @param from where the list comes from: the plugin's options (its config
 *   file holds the typo), or its manifest's `commands` or `decides` (its code)
 */
export function refuseMisspeltCommands(plugin: string, commands: readonly string[], settings: PluginSettings, from: 'options' | 'commands' | 'decides'): void {
  for (const command of commands) {
    if (commandSpec(command)) continue;
    const meant = nearestName(command, KNOWN_COMMANDS);
    if (meant === null) continue;
    const why = `"${command}" is not a command livehook knows; did you mean "${meant}"? (A command livehook does not know is taken as written, but one this close to a known one is a typo: the plugin would never be sent it.)`;
    if (from === 'options') {
      throw new LivehookError('CONFIG_INVALID', `invalid configuration: ${settings.file}: commands: ${why}`, { plugin, file: settings.file, key: 'commands' });
    }
    throw new LivehookError('PLUGIN_INVALID', `plugin "${plugin}": its manifest's ${from}: ${why}`, { plugin });
  }
}
