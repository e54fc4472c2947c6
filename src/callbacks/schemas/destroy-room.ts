/**
 * Live.CallbackAfterDestroyRoom, complete to the seed's field table: the
 * callback the reports and the system-dissolve alert are built on, so the
 * fields that key them (RoomId, EventType, EventTime) are strict.
 */
import Joi from 'joi';
import { commandSchema } from './command-schema';
import { roomInfo } from './room-info';
import { statistic } from './statistic';

export const DESTROY_EVENT_TYPES = ['DestroyByUser', 'DestroyBySystem'] as const;

export const destroyRoom = commandSchema(
  {
    EventType: Joi.string()
      .valid(...DESTROY_EVENT_TYPES)
      .required(),
    RoomInfo: roomInfo,
    Statistic: statistic,
  },
  { room: 'required', eventTimeRequired: true },
);
