/**
 * CallbackEvents built by hand for the store tests (the parser is tested on
 * its own): a destroy-room event shaped like the production capture.
 */
import type { CallbackEvent } from '../../src/callbacks/event';

let counter = 0;

export function makeEvent(overrides: Partial<CallbackEvent> = {}): CallbackEvent {
  counter += 1;
  const roomId = overrides.roomId ?? `room-${counter}`;
  const eventTime = overrides.eventTime === undefined ? 1756986061775 + counter : overrides.eventTime;
  const body = {
    CallbackCommand: 'Live.CallbackAfterDestroyRoom',
    Operator_Account: '@TIM#SYSTEM',
    RoomId: roomId,
    EventType: 'DestroyBySystem',
    EventTime: eventTime,
    RoomInfo: {
      RoomId: roomId,
      RoomName: '夏季40度',
      Owner_Account: '144115212345678901',
      IsSeatEnabled: true,
      MaxSeatCount: 9,
      Category: [1, 2],
    },
    Statistic: { TotalViewers: 3, TotalGiftsSent: 0, TotalGiftCoins: 0, TotalUniqueGiftSenders: 0, TotalLikesReceived: 12 },
  };
  return {
    id: `1400000001:Live.CallbackAfterDestroyRoom:${roomId}:${eventTime}:DestroyBySystem:${counter}`,
    command: 'Live.CallbackAfterDestroyRoom',
    known: true,
    sdkAppId: '1400000001',
    roomId,
    eventType: 'DestroyBySystem',
    eventTime,
    operator: '@TIM#SYSTEM',
    body,
    raw: JSON.stringify(body).replace('"144115212345678901"', '144115212345678901'),
    query: { SdkAppid: '1400000001', CallbackCommand: 'Live.CallbackAfterDestroyRoom', contenttype: 'json' },
    receivedAt: 1_760_000_000_000 + counter,
    ...overrides,
  };
}
