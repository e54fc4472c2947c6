import { expect } from 'chai';
import Joi from 'joi';
import { mailSettingsSchema, parseMailSettings } from '../../src/mail/mail-settings';

// The way config/livehook.json embeds the section, so labels read as an operator sees them.
const configSchema = Joi.object({ mail: mailSettingsSchema.default() });
function errorFor(mail: unknown): string {
  const { error } = configSchema.validate({ mail }, { abortEarly: false });
  expect(error, 'expected a validation error').to.exist;
  return error!.message;
}

describe('mail settings (the mail section of config/livehook.json)', () => {
  it('defaults to the outbox, a livehook From and no recipients', () => {
    const settings = parseMailSettings(undefined);
    expect(settings).to.deep.equal({
      smtpUrl: null,
      from: 'livehook <livehook@localhost>',
      alertTo: [],
      connectionTimeoutMs: 10_000,
      greetingTimeoutMs: 10_000,
      socketTimeoutMs: 60_000,
    });
  });

  it('takes recipients as a list or as one comma-separated string, drops repeats', () => {
    expect(parseMailSettings({ alertTo: 'ops@example.com, Oncall <oncall@example.com>,ops@example.com' }).alertTo).to.deep.equal([
      'ops@example.com',
      'Oncall <oncall@example.com>',
    ]);
    expect(parseMailSettings({ alertTo: ['root@localhost'] }).alertTo).to.deep.equal(['root@localhost']);
  });

  it('names the invalid address and where it is', () => {
    expect(errorFor({ alertTo: ['ops@example.com', 'not-an-address'] })).to.equal(
      '"mail.alertTo[1]" "not-an-address" is not a valid e-mail address (write name@domain or "Name <name@domain>")',
    );
    expect(errorFor({ alertTo: 'ops@example.com, oops@' })).to.contain('"mail.alertTo[1]" "oops@" is not a valid e-mail address');
    expect(errorFor({ from: 'livehook at example.com' })).to.contain('"mail.from" "livehook at example.com" is not a valid e-mail address');
  });

  it('treats an empty LIVEHOOK_SMTP_URL as unset and refuses other schemes without echoing the password', () => {
    expect(parseMailSettings({ smtpUrl: '' }).smtpUrl).to.equal(null);
    expect(parseMailSettings({ smtpUrl: 'smtps://u:p@mail.example.com:465' }).smtpUrl).to.equal('smtps://u:p@mail.example.com:465');
    const message = errorFor({ smtpUrl: 'https://user:hunter2@mail.example.com' });
    expect(message).to.contain('"mail.smtpUrl" must be an smtp:// or smtps:// URL');
    expect(message).not.to.contain('hunter2');
    // A password with an unencoded @: the hint says how to write it, still without echoing it.
    const unencoded = errorFor({ smtpUrl: 'smtp://user:p@ss@mail.example.com:587' });
    expect(unencoded).to.contain('must be percent-encoded: p@ss is written p%40ss').and.not.to.contain('user:p@ss');
    // A % that starts no escape (p%ss is written p%25ss).
    expect(errorFor({ smtpUrl: 'smtp://user:p%ss@mail.example.com:587' })).to.contain('must be percent-encoded').and.not.to.contain('p%ss');
    expect(errorFor({ smtpUrl: 'smtp://user:p%E0@mail.example.com:587' })).to.contain('must be percent-encoded');
    expect(parseMailSettings({ smtpUrl: 'smtp://user:p%25ss%40@mail.example.com:587' }).smtpUrl).to.equal('smtp://user:p%25ss%40@mail.example.com:587');
  });

  it('asks for the host when only its port, TLS or login is given', () => {
    expect(errorFor({ port: 587, auth: { user: 'u', pass: 'p' } })).to.contain('"mail" sets "port" but not "host"');
    expect(errorFor({ host: 'mail.example.com', auth: { user: 'u' } })).to.contain('"mail.auth.pass" is required');
  });

  it('parseMailSettings throws a CONFIG_INVALID error that lists every problem', () => {
    let thrown: unknown;
    try {
      parseMailSettings({ alertTo: ['x'], from: 'y' });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).to.have.property('code', 'CONFIG_INVALID');
    expect((thrown as Error).message).to.match(/^invalid mail settings: /).and.contain('"alertTo[0]" "x"').and.contain('"from" "y"');
  });
});
