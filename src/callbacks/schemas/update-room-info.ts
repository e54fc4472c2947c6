/** Live.CallbackAfterUpdateRoomInfo: RoomInfo holds the room id and the fields that changed. */
import { commandSchema } from './command-schema';
import { roomInfo } from './room-info';

export const updateRoomInfo = commandSchema({ RoomInfo: roomInfo.required() }, { room: 'required' });
