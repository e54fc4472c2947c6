/**
 * Each quirk of CALLBACKS.md, through real HTTP, as a plugin receives it.
 */
import path from 'node:path';
import { expect } from 'chai';
import { fixture, startTestService, tempDir, type TestService } from '../helpers/service';
import { readRecords, recorderTs, writePlugin } from '../helpers/plugin-files';

describe("Tencent's quirks, end to end", () => {
  let svc: TestService;
  let out: string;
  const received = (roomId: string): any => readRecords(out).filter((r) => r.hook === 'handle' && r.event.roomId === roomId).pop()?.event;

  before(async () => {
    const pluginsDir = tempDir('livehook-plugins-');
    out = path.join(tempDir(), 'calls.jsonl');
    writePlugin(pluginsDir, 'recorder', 'index.ts', recorderTs('recorder'));
    svc = await startTestService({ pluginsDir, plugins: { recorder: { enabled: true, capabilities: ['fs'], out } } });
  });
  after(() => svc.stop());

  it('1. keeps every digit of 18-digit ids sent as bare numbers, as strings', async () => {
    expect((await svc.post(fixture('seat-info-changed.json'))).status).to.equal(200);
    await svc.waitForIdle();
    expect(received('rid-123').body.SeatList[0].Member_Account).to.equal('144115233775727695');
  });

  it('2. accepts a DestroyBySystem without Statistic or Category, operator @TIM#SYSTEM, and does not invent zeros', async () => {
    expect((await svc.post(fixture('destroy-room.production-capture.json'))).status).to.equal(200);
    await svc.waitForIdle();
    const event = received('436');
    expect(event.operator).to.equal('@TIM#SYSTEM');
    expect(event.body).to.not.have.property('Statistic');
    expect(event.body.RoomInfo).to.not.have.property('Category');
    expect(event.body.RoomInfo.RoomName).to.equal('夏季40度');
  });

  it('3. accepts any RoomType, and 4. takes "true"/"false" strings as booleans', async () => {
    const body = JSON.parse(fixture('destroy-room.production-capture.json'));
    Object.assign(body, { RoomId: 'quirk-34', EventTime: 1756986061999 });
    Object.assign(body.RoomInfo, { RoomType: 'Meeting', IsSeatEnabled: 'false', IsPublicVisible: 'true' });
    expect((await svc.post(body)).status).to.equal(200);
    await svc.waitForIdle();
    const info = received('quirk-34').body.RoomInfo;
    expect(info.RoomType).to.equal('Meeting');
    expect(info.IsSeatEnabled).to.equal(false);
    expect(info.IsPublicVisible).to.equal(true);
  });

  it('5. routes on the body CallbackCommand, not the query one, and reads SdkAppid in any case', async () => {
    const res = await svc.post(fixture('change-owner.json'), { sdkappid: '1400000009', CallbackCommand: 'Live.CallbackAfterDestroyRoom' });
    expect(res.status).to.equal(200);
    await svc.waitForIdle();
    const event = received('room_id');
    expect(event.command).to.equal('Live.CallbackAfterChangeOwner');
    expect(event.sdkAppId).to.equal('1400000009');
  });

  it('6. keeps unknown keys, at the top and inside RoomInfo', async () => {
    const body = JSON.parse(fixture('destroy-room.production-capture.json'));
    Object.assign(body, { RoomId: 'quirk-6', EventTime: 1756986062000, NewTopLevel: { a: 1 } });
    body.RoomInfo.NewInside = 'kept';
    expect((await svc.post(body)).status).to.equal(200);
    await svc.waitForIdle();
    const event = received('quirk-6');
    expect(event.body.NewTopLevel).to.deep.equal({ a: 1 });
    expect(event.body.RoomInfo.NewInside).to.equal('kept');
  });

  it('7. keeps EventTime in milliseconds, and the room id from RoomInfo when there is none at the top', async () => {
    expect((await svc.post(fixture('update-room-info.json'))).status).to.equal(200);
    await svc.waitForIdle();
    const event = received('live-room');
    expect(event.eventTime).to.equal(1670574414123);
    expect(event.command).to.equal('Live.CallbackAfterUpdateRoomInfo');
  });

  it('accepts unknown OptPlatform values', async () => {
    const body = JSON.parse(fixture('destroy-room.seed-example.json'));
    body.RoomId = 'quirk-opt';
    for (const platform of ['iOs', 'rest_api', 'Something-New']) {
      expect((await svc.post(body, { OptPlatform: platform, SdkAppid: '1' })).status, platform).to.equal(200);
    }
  });
});
