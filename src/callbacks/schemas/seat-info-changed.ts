/** Mic.CallbackAfterSeatInfoChanged: the seat list; an empty seat has no Member_Account. */
import Joi from 'joi';
import { commandSchema } from './command-schema';
import { accountId, flag, integer } from './fields';

const seat = Joi.object({
  Index: integer.required(),
  Member_Account: accountId,
  IsTakenDisabled: flag,
  IsVideoDisabled: flag,
  IsAudioDisabled: flag,
});

export const seatInfoChanged = commandSchema({ SeatList: Joi.array().items(seat).required() }, { room: 'required' });
