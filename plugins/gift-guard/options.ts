/**
 * gift-guard's options (config/plugins/gift-guard.json beside the reserved
 * keys). Lists and caps may change while the service runs: a config reload
 * restarts the plugin with the new ones.
 */
import Joi from 'joi';
import { APP_CODE_MAX, APP_CODE_MIN } from 'livehook';

/** What a refused sender's client is told. */
export interface Answer {
  /** 1: a plain no; 102100-102200: the app's code, passed to the client with `info`. */
  code: number;
  info: string;
}

export interface GuardOptions {
  /** Accounts that may not send gifts. */
  blockSenders: string[];
  /** Rooms where no gift goes through (a room under review). */
  frozenRooms: string[];
  /** Coins one sender may spend per day (the day of LIVEHOOK_TIMEZONE); null: no cap. */
  maxCoinsPerSenderPerDay: number | null;
  /** Gifts one sender may send per clock minute; null: no limit. */
  maxGiftsPerSenderPerMinute: number | null;
  answers: { blockedSender: Answer; frozenRoom: Answer; dailyCap: Answer; rateLimit: Answer };
}

const answer = (code: number, info: string) =>
  Joi.object({
    code: Joi.alternatives(Joi.number().valid(1), Joi.number().integer().min(APP_CODE_MIN).max(APP_CODE_MAX))
      .default(code)
      .messages({ 'alternatives.match': `{{#label}} must be 1 or an app code from ${APP_CODE_MIN} to ${APP_CODE_MAX}` }),
    info: Joi.string().allow('').max(200).default(info),
  }).default();

const accounts = Joi.array().items(Joi.string().trim().min(1)).unique().default([]);

export const optionsSchema = Joi.object<GuardOptions>({
  blockSenders: accounts,
  frozenRooms: accounts,
  maxCoinsPerSenderPerDay: Joi.number().integer().min(0).allow(null).default(null),
  maxGiftsPerSenderPerMinute: Joi.number().integer().min(1).allow(null).default(null),
  answers: Joi.object({
    blockedSender: answer(1, ''),
    frozenRoom: answer(102101, 'Gifts are paused in this room.'),
    dailyCap: answer(102102, 'You have reached today\'s gift limit.'),
    rateLimit: answer(102103, 'Too many gifts at once: please wait a minute.'),
  }).default(),
});
