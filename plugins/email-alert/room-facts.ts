import type { CallbackEvent, RoomInfo } from 'livehook';

/**
 * What an alert says about one room, taken from the event once. It is plain
 * data because it is also stored: a room held back for the storm digest is
 * described from this record when the digest goes out, minutes later.
 */
export interface RoomFacts {
  eventId: string;
  command: string;
  roomId: string | null;
  roomName: string | null;
  owner: string | null;
  operator: string | null;
  eventType: string | null;
  /** ms since the epoch. */
  eventTime: number | null;
  /** When livehook received the callback (absent from records kept by an older version). */
  receivedAt?: number;
  sdkAppId: string | null;
  /** Exactly what Tencent sent, or null when it sent no Statistic block (not zeros). */
  statistic: Record<string, unknown> | null;
}

export function roomFacts(event: CallbackEvent): RoomFacts {
  const body = event.body;
  const info = (typeof body.RoomInfo === 'object' && body.RoomInfo !== null ? body.RoomInfo : {}) as RoomInfo;
  const statistic = typeof body.Statistic === 'object' && body.Statistic !== null ? (body.Statistic as Record<string, unknown>) : null;
  return {
    eventId: event.id,
    command: event.command,
    roomId: event.roomId,
    roomName: text(info.RoomName) ?? text(body.RoomName),
    // Account ids arrive as strings already (livehook parses big numbers losslessly).
    owner: text(info.Owner_Account) ?? text(body.Owner_Account),
    operator: event.operator,
    eventType: event.eventType,
    eventTime: event.eventTime,
    receivedAt: event.receivedAt,
    sdkAppId: event.sdkAppId,
    statistic,
  };
}

function text(value: unknown): string | null {
  if (typeof value === 'string') return value.length > 0 ? value : null;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return null;
}

/** Why the room went, in words an operator reads at a glance. */
export function reasonOf(eventType: string | null): string {
  switch (eventType) {
    case 'DestroyBySystem':
      return 'dissolved by the system (left empty)';
    case 'DestroyByUser':
      return 'dissolved by its owner';
    case null:
      return 'dissolved';
    default:
      return `dissolved (${eventType})`;
  }
}
