import type { DecisionRecord } from '../decide/decision';

/**
 * The normalized event that plugins receive.
 *
 * Whatever Tencent sent (big-number ids, "true"/"false" strings, the room id
 * at the top or inside RoomInfo), a plugin sees plain data: ids as strings,
 * booleans as booleans, times as numbers. It is plain JSON on purpose, so an
 * event can be stored, replayed, or handed to a worker thread unchanged.
 */

/** Lifetime statistics of a room, present only when Tencent sent them. */
export interface RoomStatistic {
  TotalViewers: number;
  TotalGiftsSent: number;
  TotalGiftCoins: number;
  TotalUniqueGiftSenders: number;
  TotalLikesReceived: number;
  [extra: string]: unknown;
}

export interface RoomInfo {
  RoomId?: string;
  RoomName?: string;
  RoomType?: string;
  Owner_Account?: string;
  IsSeatEnabled?: boolean;
  TakeSeatMode?: 'None' | 'FreeToTake' | 'ApplyToTake' | string;
  MaxMemberCount?: number;
  MaxSeatCount?: number;
  Category?: number[];
  CustomInfo?: string;
  IsMessageDisabled?: boolean;
  CoverURL?: string;
  ActivityStatus?: number;
  IsPublicVisible?: boolean;
  ViewCount?: number;
  BackgroundURL?: string;
  IsUnlimitedRoomEnabled?: boolean;
  CreateTime?: number;
  [extra: string]: unknown;
}

interface BodyBase {
  CallbackCommand: string;
  [extra: string]: unknown;
}

export interface DestroyRoomBody extends BodyBase {
  CallbackCommand: 'Live.CallbackAfterDestroyRoom';
  Operator_Account?: string;
  RoomId: string;
  EventType: 'DestroyByUser' | 'DestroyBySystem';
  EventTime: number;
  RoomInfo?: RoomInfo;
  Statistic?: RoomStatistic;
}

export interface CreateRoomBody extends BodyBase {
  CallbackCommand: 'Live.CallbackAfterCreateRoom';
  Operator_Account?: string;
  RoomId: string;
  EventTime?: number;
  RoomInfo: RoomInfo;
}

export interface UpdateRoomInfoBody extends BodyBase {
  CallbackCommand: 'Live.CallbackAfterUpdateRoomInfo';
  Operator_Account?: string;
  RoomId: string;
  EventTime?: number;
  RoomInfo: RoomInfo;
}

export interface MemberStateChangedBody extends BodyBase {
  CallbackCommand: 'Live.CallbackAfterMemberStateChanged';
  RoomId: string;
  EventType: 'Online' | 'Offline' | string;
  EventCause?: 'Enter' | 'Leave' | 'HeartbeatInterrupt' | 'HeartbeatRecover' | string;
  MemberList: Array<{ Member_Account: string; [extra: string]: unknown }>;
  EventTime?: number;
}

export interface ChangeOwnerBody extends BodyBase {
  CallbackCommand: 'Live.CallbackAfterChangeOwner';
  RoomId: string;
  EventTime?: number;
  Operator_Account?: string;
  CurrentOwner_Account: string;
  OriginalOwner_Account?: string;
}

export interface SeatInfoChangedBody extends BodyBase {
  CallbackCommand: 'Mic.CallbackAfterSeatInfoChanged';
  RoomId: string;
  EventTime?: number;
  SeatList: Array<{
    Index: number;
    Member_Account?: string;
    IsTakenDisabled?: boolean;
    IsVideoDisabled?: boolean;
    IsAudioDisabled?: boolean;
    [extra: string]: unknown;
  }>;
}

export interface BeforeSendGiftBody extends BodyBase {
  CallbackCommand: 'Live.CallbackBeforeSendGift';
  Operator_Account?: string;
  RoomId: string;
  GiftWater: {
    From_Account: string;
    To_Account: string[];
    Time?: number;
    GiftId?: string;
    Count?: number;
    Coins?: number;
    [extra: string]: unknown;
  };
}

/** Commands with a dedicated type; every other known command is a GenericRoomBody. */
export interface BodyByCommand {
  'Live.CallbackAfterDestroyRoom': DestroyRoomBody;
  'Live.CallbackAfterCreateRoom': CreateRoomBody;
  'Live.CallbackAfterUpdateRoomInfo': UpdateRoomInfoBody;
  'Live.CallbackAfterMemberStateChanged': MemberStateChangedBody;
  'Live.CallbackAfterChangeOwner': ChangeOwnerBody;
  'Mic.CallbackAfterSeatInfoChanged': SeatInfoChangedBody;
  'Live.CallbackBeforeSendGift': BeforeSendGiftBody;
}

/** A room callback body for the other documented commands (ids normalized, extra keys kept). */
export interface GenericRoomBody extends BodyBase {
  RoomId?: string;
  EventTime?: number;
  Operator_Account?: string;
}

export type KnownCommand = keyof BodyByCommand;

export interface CallbackEvent<B extends BodyBase = BodyBase> {
  /** Stable idempotency key: the same callback sent twice has the same id. */
  id: string;
  /** The body's CallbackCommand (routing never trusts the query's). */
  command: string;
  /** True when a schema for this command exists and validated the body. */
  known: boolean;
  /** SdkAppid from the query (any case of the key), or null. */
  sdkAppId: string | null;
  /** Top-level RoomId, else RoomInfo.RoomId, else null. */
  roomId: string | null;
  eventType: string | null;
  /** Milliseconds since the epoch, or null when the command carries none. */
  eventTime: number | null;
  operator: string | null;
  /** The validated, normalized body (unknown keys kept). */
  body: B;
  /** The body exactly as received. */
  raw: string;
  /** The query string, keys as sent. */
  query: Record<string, string>;
  /** When livehook received it (ms since the epoch). */
  receivedAt: number;
  /** For a before-callback that plugins decided (Live.CallbackBeforeSendGift): what livehook answered, and who decided. */
  decision?: DecisionRecord;
}

export type EventOf<C extends KnownCommand> = CallbackEvent<BodyByCommand[C]>;

/** Narrow an event to a known command's typed body. */
export function isCommand<C extends KnownCommand>(event: CallbackEvent, command: C): event is EventOf<C> {
  return event.known && event.command === command;
}
