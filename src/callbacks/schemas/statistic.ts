/**
 * A room's lifetime statistics, sent with destroy-room. The block may be
 * absent (the production DestroyBySystem capture has none) or null: both mean
 * "not measured", never zeros. When it is there, all five figures must be,
 * since a report that sums a missing figure as 0 would present a guess as a
 * measurement.
 */
import Joi from 'joi';
import { count } from './fields';

export const statistic = Joi.object({
  TotalViewers: count.required(),
  TotalGiftsSent: count.required(),
  TotalGiftCoins: count.required(),
  TotalUniqueGiftSenders: count.required(),
  TotalLikesReceived: count.required(),
}).empty(null);
