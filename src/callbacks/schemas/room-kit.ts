/**
 * TUIRoomKit's Room.* callbacks: the same room lifecycle as Live.*, for
 * conference rooms. Room.CallbackAfterDestroyRoom carries no EventType or
 * Statistic (see fixtures/room-destroy-roomkit.json); when EventType is sent
 * it must still be one of the destroy types.
 */
import Joi from 'joi';
import { commandSchema } from './command-schema';
import { DESTROY_EVENT_TYPES } from './destroy-room';
import { accountId } from './fields';
import { roomInfo } from './room-info';
import { statistic } from './statistic';

const memberList = Joi.array().items(Joi.object({ Member_Account: accountId.required() }));

export const roomCreateRoom = commandSchema({ RoomInfo: roomInfo.required() }, { room: 'required' });

export const roomDestroyRoom = commandSchema(
  {
    EventType: Joi.string().valid(...DESTROY_EVENT_TYPES),
    RoomInfo: roomInfo,
    Statistic: statistic,
  },
  { room: 'required' },
);

export const roomUpdateRoomInfo = commandSchema({ RoomInfo: roomInfo.required() }, { room: 'required' });

export const roomMemberEnter = commandSchema({ Member_Account: accountId, MemberList: memberList }, { room: 'required' });

export const roomMemberLeave = commandSchema({ Member_Account: accountId, MemberList: memberList }, { room: 'required' });
