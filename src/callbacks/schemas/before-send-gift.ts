/**
 * Live.CallbackBeforeSendGift: a *before* callback (the answer decides
 * whether the gift goes through). It carries no EventTime; GiftWater.Time is
 * in seconds.
 */
import Joi from 'joi';
import { commandSchema } from './command-schema';
import { accountId, accountList, count, seconds, senderId } from './fields';

export const beforeSendGift = commandSchema(
  {
    GiftWater: Joi.object({
      From_Account: senderId.required(),
      To_Account: accountList.required(),
      Time: seconds,
      /** Gift ids are the app's own: a number is kept as its string. */
      GiftId: accountId,
      Count: count,
      Coins: count,
    }).required(),
  },
  { room: 'required' },
);
