/**
 * Every callback command livehook knows (the list in CALLBACKS.md), with its
 * schema and how its events are told apart for dedupe. A command missing
 * here is still accepted, unvalidated, as an unknown command.
 */
import type Joi from 'joi';
import { createBattle, endBattle, startBattle } from './battle';
import { beforeSendGift } from './before-send-gift';
import { changeOwner } from './change-owner';
import { createRoom } from './create-room';
import { destroyRoom } from './destroy-room';
import { memberStateChanged } from './member-state-changed';
import { delMetadata, setMetadata } from './metadata';
import { modifyAdmin } from './modify-admin';
import { roomCreateRoom, roomDestroyRoom, roomMemberEnter, roomMemberLeave, roomUpdateRoomInfo } from './room-kit';
import { createRoomReachingThreshold } from './room-threshold';
import { seatInfoChanged } from './seat-info-changed';
import { updateRoomInfo } from './update-room-info';

export interface CommandSpec {
  schema: Joi.ObjectSchema;
  /**
   * How a resend is recognised (see event-id.ts).
   * 'key': (SdkAppid, command, RoomId, EventTime, EventType) names the event:
   * a room is destroyed once, so two bodies with that key are one event.
   * 'key+body': many such events can share a room and a millisecond (two
   * members entering, two battles ending), so the raw body is part of the id
   * too and only an exact resend is a duplicate.
   */
  identity: 'key' | 'key+body';
}

const spec = (schema: Joi.ObjectSchema, identity: CommandSpec['identity'] = 'key+body'): CommandSpec => ({ schema, identity });

export const COMMANDS: ReadonlyMap<string, CommandSpec> = new Map<string, CommandSpec>([
  ['Live.CallbackAfterCreateRoom', spec(createRoom)],
  ['Live.CallbackAfterDestroyRoom', spec(destroyRoom, 'key')],
  ['Live.CallbackAfterUpdateRoomInfo', spec(updateRoomInfo)],
  ['Live.CallbackAfterMemberStateChanged', spec(memberStateChanged)],
  ['Live.CallbackAfterChangeOwner', spec(changeOwner)],
  ['Live.CallbackAfterModifyAdmin', spec(modifyAdmin)],
  ['Live.CallbackAfterSetMetadata', spec(setMetadata)],
  ['Live.CallbackAfterDelMetadata', spec(delMetadata)],
  ['Live.CallbackAfterCreateRoomReachingThreshold', spec(createRoomReachingThreshold)],
  ['Live.CallbackAfterCreateBattle', spec(createBattle)],
  ['Live.CallbackAfterStartBattle', spec(startBattle)],
  ['Live.CallbackAfterEndBattle', spec(endBattle)],
  ['Mic.CallbackAfterSeatInfoChanged', spec(seatInfoChanged)],
  ['Live.CallbackBeforeSendGift', spec(beforeSendGift)],
  ['Room.CallbackAfterCreateRoom', spec(roomCreateRoom)],
  ['Room.CallbackAfterDestroyRoom', spec(roomDestroyRoom, 'key')],
  ['Room.CallbackAfterUpdateRoomInfo', spec(roomUpdateRoomInfo)],
  ['Room.CallbackAfterMemberEnter', spec(roomMemberEnter)],
  ['Room.CallbackAfterMemberLeave', spec(roomMemberLeave)],
]);

/** The command's spec, or undefined for a command livehook has no schema for. */
export function commandSpec(command: string): CommandSpec | undefined {
  return COMMANDS.get(command);
}

/** Every command with a schema, for docs and `livehook plugins`. */
export const KNOWN_COMMANDS: readonly string[] = [...COMMANDS.keys()];
