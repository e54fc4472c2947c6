/**
 * Live.CallbackAfterCreateBattle / StartBattle / EndBattle: a PK between
 * rooms. A battle has a BattleId and several rooms (FromRoomId + ToRoomIdList,
 * or FromRoomInfo + ToRoomList), so it has no single room id.
 */
import Joi from 'joi';
import { commandSchema } from './command-schema';
import { accountId, count, integer, roomId, seconds } from './fields';

const battleRoom = Joi.object({ RoomId: roomId, Owner_Account: accountId, Score: integer });

const battleKeys = {
  BattleId: Joi.string().required(),
  FromRoomId: roomId,
  ToRoomIdList: Joi.array().items(roomId).single(),
  FromRoomInfo: battleRoom,
  ToRoomList: Joi.array().items(battleRoom),
  Duration: count,
  Timeout: count,
  CreateTime: seconds,
  StartTime: seconds,
  EndTime: seconds,
  OpType: integer,
};

export const createBattle = commandSchema(battleKeys, { room: 'none' });

export const startBattle = commandSchema(battleKeys, { room: 'none' });

export const endBattle = commandSchema(battleKeys, { room: 'none' });
