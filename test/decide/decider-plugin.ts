/**
 * A deciding plugin as a user would drop it into plugins/: `decide` does
 * what the test asks (allow, reject, throw, hang), and `handle` records the
 * event it then receives, with its decision, as a JSON line.
 */
export function deciderPlugin(name: string, decide: string): string {
  return `
import fs from 'node:fs';
import Joi from 'joi';
import { inject, injectable } from 'tsyringe';
import { allow, reject, definePlugin, type CallbackEvent, type PluginHandler } from 'livehook';

@injectable()
class Handler implements PluginHandler {
  constructor(@inject('options') private readonly options: { out: string }) {}
  async decide(event: CallbackEvent) {
    fs.appendFileSync(this.options.out, JSON.stringify({ plugin: '${name}', hook: 'decide', id: event.id }) + '\\n');
    ${decide}
  }
  handle(event: CallbackEvent): void {
    fs.appendFileSync(this.options.out, JSON.stringify({ plugin: '${name}', hook: 'handle', id: event.id, decision: event.decision ?? null }) + '\\n');
  }
}

export default definePlugin({
  name: '${name}',
  version: '1.0.0',
  decides: ['Live.CallbackBeforeSendGift'],
  commands: ['Live.CallbackBeforeSendGift'],
  options: Joi.object({ out: Joi.string().required() }),
  capabilities: ['fs'],
  handler: Handler,
});
`;
}

/** A BeforeSendGift body; `time` (seconds) makes each gift a different callback. */
export function gift(opts: { from?: string; room?: string; time?: number; coins?: number; count?: number; giftId?: string } = {}): string {
  return JSON.stringify({
    CallbackCommand: 'Live.CallbackBeforeSendGift',
    Operator_Account: opts.from ?? 'user1',
    RoomId: opts.room ?? 'room_id',
    GiftWater: { From_Account: opts.from ?? 'user1', To_Account: ['anchor1'], Time: opts.time ?? 1703589922, GiftId: opts.giftId ?? 'rocket', Count: opts.count ?? 1, Coins: opts.coins ?? 520 },
  });
}
