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
import { checkEventTypes } from './event-types-check';
import { checkRecipients } from './recipients';
import { optionsSchema, type AlertOptions } from './options';

export default definePlugin({
  name: 'email-alert',
  version: '1.0.0',
  description: 'Mails the operator when the system dissolves a room; one digest per window during an alert storm.',
  // The commands come from the plugin's own `commands` option: an operator who
  // adds one there is heard, and the events of other commands are never even
  // read from the log for this plugin.
  commands: (options: AlertOptions) => options.commands,
  options: optionsSchema,
  capabilities: ['mailer', 'store'],
  handler: EmailAlertHandler,
  // Refused by `livehook config check` and at start alike: mail with no
  // recipient goes nowhere, and an EventType that never arrives never alerts.
  check: (options: AlertOptions, context) => {
    checkEventTypes(options);
    checkRecipients(options, context);
  },
});
