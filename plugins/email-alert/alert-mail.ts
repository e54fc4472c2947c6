import { eventTimeText } from './format-time';
import type { RoomFacts } from './room-facts';
import { reasonOf } from './room-facts';
import { statisticsHtml, statisticsText } from './statistics';
import { fillHtml, fillText, type TemplateValues } from './template';

export interface AlertTemplates {
  subject: string;
  text: string;
  html: string;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

/** The placeholder values for one room, as plain text (the HTML filler escapes them). */
export function templateValues(room: RoomFacts, timeZone: string): TemplateValues {
  return {
    roomId: room.roomId ?? '(unknown)',
    roomName: room.roomName ?? '(no name)',
    owner: room.owner ?? '(unknown)',
    operator: room.operator ?? '(unknown)',
    eventType: room.eventType ?? '(none)',
    reason: reasonOf(room.eventType),
    eventTime: eventTimeText(room, timeZone),
    timezone: timeZone,
    sdkAppId: room.sdkAppId ?? '(not given)',
    command: room.command,
    eventId: room.eventId,
    statistics: statisticsText(room.statistic),
  };
}

export function renderAlert(room: RoomFacts, templates: AlertTemplates, timeZone: string): RenderedMail {
  const values = templateValues(room, timeZone);
  return {
    subject: fillText(templates.subject, values),
    text: fillText(templates.text, values, { statistics: values.statistics }),
    html: fillHtml(templates.html, values, { statistics: statisticsHtml(room.statistic) }),
  };
}
