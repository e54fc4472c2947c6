/**
 * joi types for e-mail addresses, so that a typo in a recipient is refused at
 * start with the bad address named, instead of bouncing at 3 a.m.
 *
 * A mailbox is `ops@example.com` or `Ops Team <ops@example.com>`. Domains
 * need no dot (`ops@localhost` is a fine address on an internal relay) and
 * are not checked against the list of top-level domains, for the same reason.
 */
import Joi from 'joi';

const addressSchema = Joi.string().email({ tlds: false, minDomainSegments: 1, allowUnicode: true });
const DISPLAY_FORM = /^\s*(?:"([^"]*)"|([^"<>]*?))\s*<([^<>]+)>\s*$/;

/** The bare address of a mailbox (`Name <a@b>` gives `a@b`), or null when it is not a valid one. */
export function mailboxAddress(mailbox: string): string | null {
  if (/[\r\n]/.test(mailbox)) return null; // a header injection, not an address
  const display = DISPLAY_FORM.exec(mailbox);
  const address = (display ? display[3] : mailbox).trim();
  return addressSchema.validate(address).error ? null : address;
}

/** A string that must be one mailbox. */
export function mailbox(): Joi.StringSchema {
  return Joi.string()
    .trim()
    .custom((value: string, helpers) => {
      if (mailboxAddress(value) !== null) return value;
      return helpers.message({ custom: `{{#label}} "${value}" is not a valid e-mail address (write name@domain or "Name <name@domain>")` });
    }, 'e-mail address');
}

/** An array type that also takes one string of comma-separated entries. */
const listJoi: Joi.Root = Joi.extend({
  type: 'commaList',
  base: Joi.array(),
  coerce: {
    from: 'string',
    method: (value: string) => ({ value: value.split(',').map((s) => s.trim()).filter((s) => s.length > 0) }),
  },
});

/**
 * A list of mailboxes. A config file may also give one string of
 * comma-separated addresses, as the LIVEHOOK_ALERT_TO variable does.
 * Repeats are dropped so nobody gets the same alert twice.
 */
export function mailboxList(): Joi.ArraySchema<string[]> {
  const schema = (listJoi as unknown as { commaList(): Joi.ArraySchema<string[]> }).commaList();
  return schema.items(mailbox()).custom((list: string[]) => [...new Set(list)], 'drop repeated addresses');
}
