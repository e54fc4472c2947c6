import { expect } from 'chai';
import { formatEventTime, lateNote } from '../../../plugins/email-alert/format-time';
import { stableMessageId } from '../../../plugins/email-alert/message-id';
import { NO_STATISTICS, statisticsHtml, statisticsText } from '../../../plugins/email-alert/statistics';
import { fillHtml, fillText, unknownPlaceholders, type TemplateValues } from '../../../plugins/email-alert/template';

const values = (over: Partial<TemplateValues> = {}): TemplateValues => ({
  roomId: '436',
  roomName: '夏季40度',
  owner: '10100015411',
  operator: '@TIM#SYSTEM',
  eventType: 'DestroyBySystem',
  reason: 'dissolved by the system (left empty)',
  eventTime: '2025-09-04 19:41:01 (Asia/Shanghai, UTC+08:00)',
  timezone: 'Asia/Shanghai',
  sdkAppId: '1400000001',
  command: 'Live.CallbackAfterDestroyRoom',
  eventId: 'e1',
  statistics: NO_STATISTICS,
  ...over,
});

describe('email-alert mail content', () => {
  it('fills {{placeholders}} (spaces allowed) and names the unknown ones', () => {
    expect(fillText('Room {{ roomName }} ({{roomId}})', values())).to.equal('Room 夏季40度 (436)');
    expect(unknownPlaceholders('{{roomId}} {{room}} {{ownr}}')).to.deep.equal(['room', 'ownr']);
    expect(unknownPlaceholders('{ not one } {{roomId}}')).to.deep.equal([]);
  });

  it('escapes every value in HTML but keeps the statistics table it built itself', () => {
    const html = fillHtml('<p>{{roomName}}</p>{{statistics}}', values({ roomName: `<img src=x onerror='x'> & "q"` }), { statistics: '<table></table>' });
    expect(html).to.equal('<p>&lt;img src=x onerror=&#39;x&#39;&gt; &amp; &quot;q&quot;</p><table></table>');
  });

  it('says "no statistics" instead of zeros, and keeps keys Tencent may add later', () => {
    expect(statisticsText(null)).to.equal('Tencent sent no statistics for this room.');
    expect(statisticsHtml(null)).to.contain('Tencent sent no statistics for this room.');
    const text = statisticsText({ TotalViewers: 0, TotalLikesReceived: 5, TotalNewThing: 7 });
    expect(text.split('\n')).to.deep.equal(['  Viewers (entries): 0', '  Likes received:    5', '  TotalNewThing:     7']);
    expect(statisticsHtml({ TotalViewers: '<1>' })).to.contain('&lt;1&gt;').and.not.contain('<1>');
  });

  it('formats the event time in the configured zone, daylight saving included', () => {
    expect(formatEventTime(Date.UTC(2025, 0, 15, 12, 0, 0), 'America/New_York')).to.equal('2025-01-15 07:00:00 (America/New_York, UTC-05:00)');
    expect(formatEventTime(Date.UTC(2025, 6, 15, 12, 0, 0), 'America/New_York')).to.equal('2025-07-15 08:00:00 (America/New_York, UTC-04:00)');
    expect(formatEventTime(Date.UTC(2025, 6, 15, 0, 30, 0), 'UTC')).to.equal('2025-07-15 00:30:00 (UTC, UTC+00:00)');
    expect(formatEventTime(null, 'UTC')).to.equal('not given');
  });

  it('says how late a callback came when it came more than an hour after its event, and nothing otherwise', () => {
    const at = Date.UTC(2025, 6, 15, 12, 0, 0);
    const hour = 3_600_000;
    expect(lateNote(at, at + 5_000)).to.equal('');
    expect(lateNote(at, at + hour)).to.equal('');
    expect(lateNote(at, at + 3 * hour + 5)).to.equal(', received 3 hours later');
    expect(lateNote(at, at + 452 * 24 * hour)).to.equal(', received 452 days later');
    expect(lateNote(null, at)).to.equal('');
    expect(lateNote(at, undefined)).to.equal(''); // a record kept before receivedAt was
    expect(lateNote(at + hour * 5, at)).to.equal(''); // a clock ahead of ours is not lateness
  });

  it('derives the Message-ID from the event key alone, on the sender\'s domain', () => {
    const a = stableMessageId('alert', 'key-1', 'livehook <alerts@example.com>');
    expect(a).to.match(/^<alert\.[0-9a-f]{32}@example\.com>$/);
    expect(stableMessageId('alert', 'key-1', 'livehook <alerts@example.com>')).to.equal(a);
    expect(stableMessageId('alert', 'key-2', 'livehook <alerts@example.com>')).not.to.equal(a);
    expect(stableMessageId('digest', 'key-1', 'alerts@example.com')).to.match(/^<digest\.[0-9a-f]{32}@example\.com>$/);
  });
});
