/** Live.CallbackAfterCreateRoom: the room id comes inside RoomInfo. */
import { commandSchema } from './command-schema';
import { roomInfo } from './room-info';

export const createRoom = commandSchema({ RoomInfo: roomInfo.required() }, { room: 'required' });
