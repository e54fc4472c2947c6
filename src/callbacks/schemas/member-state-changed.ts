/**
 * Live.CallbackAfterMemberStateChanged: members going Online/Offline, with a
 * cause (Enter, Leave, HeartbeatInterrupt, HeartbeatRecover). The state and
 * cause are taken as any string so a new one does not cost a callback.
 */
import Joi from 'joi';
import { commandSchema } from './command-schema';
import { accountId, text } from './fields';

export const memberStateChanged = commandSchema(
  {
    EventType: Joi.string().required(),
    EventCause: text,
    MemberList: Joi.array()
      .items(Joi.object({ Member_Account: accountId.required() }))
      .required(),
  },
  { room: 'required' },
);
