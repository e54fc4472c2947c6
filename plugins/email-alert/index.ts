/**
 * email-alert: a mail when Tencent dissolves a room because it was left
 * empty (Live.CallbackAfterDestroyRoom, EventType DestroyBySystem): an
 * anchor may have dropped, or something broke. During an incident it sends
 * at most `storm.maxAlerts` mails per window and gathers the rest into one
 * digest, so a storm of alerts does not bury the operator.
 *
 * Written as any plugin of yours would be: it imports only 'livehook',
 * 'tsyringe' and 'joi', and asks for what it needs (mailer, store), which
 * config/plugins/email-alert.json must grant. Options: see README.md.
 */
import { definePlugin } from 'livehook';
import { EmailAlertHandler } from './alert-handler';
import { optionsSchema } from './options';

export default definePlugin({
  name: 'email-alert',
  version: '1.0.0',
  description: 'Mails the operator when the system dissolves a room; one digest per window during an alert storm.',
  // Every command reaches the handler, which keeps those in its `commands`
  // option: a manifest is fixed, options are not, and an operator who adds a
  // command there must not find it silently ignored.
  commands: '*',
  options: optionsSchema,
  capabilities: ['mailer', 'store'],
  handler: EmailAlertHandler,
});
