/** Small plugins for the metrics tests, written into a temporary plugins folder as a user would. */

/** Sends one mail per destroyed room through the `mailer` capability. */
export const MAILING_PLUGIN = `
import Joi from 'joi';
import { inject, injectable } from 'tsyringe';
import { definePlugin, type CallbackEvent, type Mailer, type PluginHandler } from 'livehook';

@injectable()
class Handler implements PluginHandler {
  constructor(@inject('mailer') private readonly mailer: Mailer) {}
  async handle(event: CallbackEvent): Promise<void> {
    await this.mailer.send({ to: 'ops@example.com', subject: 'room ' + event.roomId + ' closed', text: 'closed' });
  }
}

export default definePlugin({
  name: 'mailing',
  version: '0.0.1',
  commands: ['Live.CallbackAfterDestroyRoom'],
  capabilities: ['mailer'],
  options: Joi.object({}),
  handler: Handler,
});
`;

/** Two cron jobs with a seconds field: one that works, one that always throws. */
export const CRON_PLUGIN = `
import Joi from 'joi';
import { inject, injectable } from 'tsyringe';
import { definePlugin, type PluginHandler, type Scheduler } from 'livehook';

@injectable()
class Handler implements PluginHandler {
  constructor(@inject('scheduler') private readonly scheduler: Scheduler) {}
  init(): void {
    this.scheduler.schedule('works', '* * * * * *', () => undefined);
    this.scheduler.schedule('fails', '* * * * * *', () => { throw new Error('fails on purpose'); });
  }
  handle(): void {}
}

export default definePlugin({
  name: 'ticker',
  version: '0.0.1',
  commands: ['Live.CallbackAfterCreateRoom'],
  capabilities: ['scheduler'],
  options: Joi.object({}),
  handler: Handler,
});
`;
