/**
 * RoomInfo, as the destroy-room seed's field table lists it (create and
 * update send the same block). Every field is optional because Tencent sends
 * different subsets per command (the production DestroyBySystem capture has
 * no Category); each is type-checked when present.
 */
import Joi from 'joi';
import { accountId, count, flag, integer, roomId, seconds, text } from './fields';

export const roomInfo = Joi.object({
  RoomId: roomId,
  RoomName: text,
  /** Documented as Meeting, sent as Live: any string. */
  RoomType: text,
  Owner_Account: accountId,
  IsSeatEnabled: flag,
  /** None | FreeToTake | ApplyToTake, but a new mode must not cost a callback. */
  TakeSeatMode: text,
  MaxMemberCount: count,
  MaxSeatCount: count,
  /** Room type tags (integers); may be absent or null. */
  Category: Joi.array().items(integer).empty(null),
  CustomInfo: text,
  IsMessageDisabled: flag,
  CoverURL: text,
  /** A user-defined marker: any integer. */
  ActivityStatus: integer,
  IsPublicVisible: flag,
  ViewCount: count,
  BackgroundURL: text,
  IsUnlimitedRoomEnabled: flag,
  CreateTime: seconds,
});
