/**
 * Builds a command's schema from its keys, with the rules every command
 * shares: CallbackCommand a string, Operator_Account an account id, EventTime
 * in milliseconds, the room id where Tencent puts it, and the validation
 * preferences compiled once, here, at module load.
 */
import Joi from 'joi';
import { NOT_BLANK, accountId, eventTime, roomId } from './fields';
import { VALIDATION_PREFS } from './messages';

export interface CommandSchemaOptions {
  /**
   * 'required': the body must name its room, at the top level (`RoomId`) or
   * in `RoomInfo.RoomId`; the top-level one is filled from RoomInfo when only
   * that is sent, so a typed body always has `RoomId`.
   * 'none': the command is not about one room (battles, quotas).
   */
  room: 'required' | 'none';
  /** EventTime must be present (destroy-room: it dates the report and keys dedupe). */
  eventTimeRequired?: boolean;
}

export function commandSchema(keys: Record<string, Joi.Schema>, options: CommandSchemaOptions): Joi.ObjectSchema {
  let schema = Joi.object({
    CallbackCommand: Joi.string().required(),
    Operator_Account: accountId,
    EventTime: options.eventTimeRequired ? eventTime.required() : eventTime,
    RoomId: roomId,
    ...keys,
  });
  if (options.room === 'required') schema = schema.custom(requireRoomId, 'room id at the top level or in RoomInfo');
  return schema.prefs(VALIDATION_PREFS);
}

/**
 * RoomInfo.RoomId is checked here as RoomId is by its schema (a non-empty,
 * not blank string): most commands do not declare RoomInfo, so no schema
 * looks at it before it becomes the event's room.
 */
function requireRoomId(body: Record<string, unknown>, helpers: Joi.CustomHelpers): unknown {
  if (typeof body.RoomId === 'string') return body;
  const info = body.RoomInfo as Record<string, unknown> | undefined;
  if (info && typeof info.RoomId === 'string') {
    if (!NOT_BLANK.test(info.RoomId)) return helpers.error('livehook.roomIdBlank', { field: 'RoomInfo.RoomId' });
    body.RoomId = info.RoomId;
    return body;
  }
  // Sent, but not as text (a number, null): name it, as the schemas that declare RoomInfo do.
  if (info && typeof info === 'object' && info.RoomId !== undefined) return helpers.error('livehook.roomIdNotText', { field: 'RoomInfo.RoomId' });
  return helpers.error('livehook.roomIdMissing', { field: 'RoomId' });
}
