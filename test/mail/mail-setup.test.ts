/** Where mail goes, and the advice about its settings, is said once at start, however many plugins may send mail. */
import { expect } from 'chai';
import { startTestService } from '../helpers/service';

describe('the mail set-up in the start-up log', function () {
  this.timeout(30_000);

  it('is said once, with the From warning once, though email-alert and stats-rollup both have a mailer', async () => {
    const svc = await startTestService({ env: { LIVEHOOK_SMTP_URL: 'smtp://127.0.0.1:2525', LIVEHOOK_ALERT_TO: 'ops@example.com' } });
    try {
      await svc.waitForIdle();
      expect(svc.service.isolates.pluginNames()).to.include.members(['email-alert', 'stats-rollup']);
      expect(svc.logs.filter((l) => String(l.msg).startsWith('mail goes through the SMTP server 127.0.0.1:2525'))).to.have.length(1);
      expect(svc.logs.filter((l) => String(l.msg).startsWith('mail is sent From "livehook <livehook@localhost>"'))).to.have.length(1);
    } finally {
      await svc.stop();
    }
  });
});
