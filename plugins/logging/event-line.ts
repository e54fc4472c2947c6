import type { CallbackEvent, RoomInfo, RoomStatistic } from 'livehook';

/** The fields an operator greps for, flat, in a stable order. */
export function eventLine(event: CallbackEvent, includeRaw: boolean): string {
  const body = event.body;
  const roomInfo = body.RoomInfo as RoomInfo | undefined;
  const statistic = body.Statistic as RoomStatistic | undefined;
  const line: Record<string, unknown> = {
    time: new Date(event.receivedAt).toISOString(),
    id: event.id,
    command: event.command,
    known: event.known,
    sdkAppId: event.sdkAppId,
    roomId: event.roomId,
    eventType: event.eventType,
    eventTime: event.eventTime === null ? null : new Date(event.eventTime).toISOString(),
    operator: event.operator,
    owner: roomInfo?.Owner_Account ?? null,
  };
  // Only when Tencent sent them: absent statistics are not zeros.
  if (statistic) line.statistic = statistic;
  // A before-callback: what livehook answered, and who decided.
  if (event.decision) {
    const { verdict, code, info, plugin, reason, by, ms, budgetExceeded } = event.decision;
    line.decision = { verdict, code, info, plugin, reason, by, ms, budgetExceeded };
  }
  if (includeRaw) line.raw = event.raw;
  return `${JSON.stringify(line)}\n`;
}
