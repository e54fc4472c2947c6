/**
 * gift-guard: answers Live.CallbackBeforeSendGift while Tencent waits, with
 * the rules live apps ask for: blocked senders, rooms whose gifts are
 * frozen, a daily coin cap per sender and a per-minute burst limit. The
 * example to copy for your own rules: a decide hook, its options, and exact
 * counters in the plugin's store.
 */
import { definePlugin } from 'livehook';
import { GiftGuard } from './gift-guard';
import { optionsSchema } from './options';

export default definePlugin({
  name: 'gift-guard',
  version: '1.0.0',
  description: 'Refuses gifts from blocked senders, in frozen rooms, past a daily coin cap or a per-minute limit.',
  decides: ['Live.CallbackBeforeSendGift'],
  // Delivered after the answer too: handle() ages out old counters, off the hot path.
  commands: ['Live.CallbackBeforeSendGift'],
  capabilities: ['store'],
  options: optionsSchema,
  handler: GiftGuard,
});
