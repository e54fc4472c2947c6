/**
 * Live.CallbackAfterCreateRoomReachingThreshold: the app's room count nears
 * its quota. It concerns no single room; the counts' documented types are
 * contradictory (String / Array for numbers), so they are kept as sent.
 */
import { commandSchema } from './command-schema';

export const createRoomReachingThreshold = commandSchema({}, { room: 'none' });
