import { acceptedEventTypes, mayArriveWithoutEventType } from 'livehook';
import type { AlertOptions } from './options';

/**
 * An EventType that none of the `commands` can carry would never raise an
 * alert ("DestroyedBySystem" for "DestroyBySystem"): the manifest's `check`
 * refuses it, listing the ones that can arrive. A command livehook has no
 * schema for, or one whose EventType is free text, can carry any. A command
 * that arrives without an EventType (Room.CallbackAfterDestroyRoom) never
 * matches a list of them either: only "*" alerts on it.
 */
export function checkEventTypes(options: AlertOptions): void {
  if (options.eventTypes === '*') return;
  const without = options.commands.filter(mayArriveWithoutEventType);
  if (without.length > 0) {
    throw new Error(
      `option "eventTypes": ${without.join(', ')} may arrive without an EventType, and such a callback never matches ${JSON.stringify(options.eventTypes)}; set "eventTypes": "*" to be alerted of every one, or remove ${without.length === 1 ? 'it' : 'them'} from "commands"`,
    );
  }
  const closed = options.commands.map(acceptedEventTypes);
  if (closed.some((types) => types === null)) return;
  const possible = [...new Set(closed.flatMap((types) => types ?? []))];
  const never = options.eventTypes.filter((type) => !possible.includes(type));
  if (never.length === 0) return;
  const names = never.map((type) => `"${type}"`).join(', ');
  throw new Error(`option "eventTypes": ${names} never arrives with ${options.commands.join(', ')}, so it would never raise an alert; the EventTypes that do: ${possible.join(', ')}`);
}
