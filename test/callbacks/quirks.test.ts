/** Each quirk in CALLBACKS.md "Quirks a validator must survive", as the event a plugin would get. */
import { expect } from 'chai';
import type { RoomInfo } from '../../src/callbacks/event';
import { build, fixture, fixtureObject, seedWith, CAPTURE, QUERY } from './helpers';

const roomInfoOf = (body: Record<string, unknown>): RoomInfo => body.RoomInfo as RoomInfo;

describe('Tencent quirks survived by buildEvent', () => {
  it('1. big integers: every 18-digit account id stays exact, as a string', () => {
    const raw =
      '{"CallbackCommand":"Live.CallbackBeforeSendGift","Operator_Account":144115216631667826,"RoomId":"r1",' +
      '"GiftWater":{"From_Account":144115216631667826,"To_Account":[144115233775727695,"anchor"],"Time":1703589922,"GiftId":7,"Count":1,"Coins":520}}';
    const event = build(raw);
    expect(event.operator).to.equal('144115216631667826');
    expect(event.body.GiftWater).to.deep.equal({
      From_Account: '144115216631667826',
      To_Account: ['144115233775727695', 'anchor'],
      Time: 1703589922,
      GiftId: '7',
      Count: 1,
      Coins: 520,
    });
  });

  it('1. small numeric account ids come out as strings too', () => {
    const body = fixtureObject(CAPTURE);
    body.Operator_Account = 10100015411;
    (body.RoomInfo as Record<string, unknown>).Owner_Account = 10100015411;
    const event = build(body);
    expect(event.operator).to.equal('10100015411');
    expect(roomInfoOf(event.body).Owner_Account).to.equal('10100015411');
  });

  it('2. missing blocks: no Statistic and no Category are absent, not zeros', () => {
    const event = build(fixture(CAPTURE));
    expect(event.body.Statistic).to.equal(undefined);
    expect(roomInfoOf(event.body).Category).to.equal(undefined);
  });

  it('2. a null Statistic or Category is taken as absent', () => {
    const body = fixtureObject(CAPTURE);
    body.Statistic = null;
    (body.RoomInfo as Record<string, unknown>).Category = null;
    const event = build(body);
    expect(event.body).to.not.have.property('Statistic');
    expect(event.body.RoomInfo).to.not.have.property('Category');
  });

  it('3. RoomType: any string is accepted and kept', () => {
    for (const roomType of ['Meeting', 'Live', 'Conference', '']) {
      const body = fixtureObject(CAPTURE);
      (body.RoomInfo as Record<string, unknown>).RoomType = roomType;
      expect(roomInfoOf(build(body).body).RoomType, roomType).to.equal(roomType);
    }
  });

  it('4. booleans sent as "true" / "false" strings become booleans', () => {
    const body = fixtureObject(CAPTURE);
    Object.assign(body.RoomInfo as object, { IsSeatEnabled: 'false', IsMessageDisabled: 'true', IsPublicVisible: 'TRUE', IsUnlimitedRoomEnabled: 'false' });
    const info = roomInfoOf(build(body).body);
    expect(info.IsSeatEnabled).to.equal(false);
    expect(info.IsMessageDisabled).to.equal(true);
    expect(info.IsPublicVisible).to.equal(true);
    expect(info.IsUnlimitedRoomEnabled).to.equal(false);

    const seats = fixtureObject('seat-info-changed.json');
    (seats.SeatList as Array<Record<string, unknown>>)[1].IsAudioDisabled = 'true';
    const seat = (build(seats).body.SeatList as Array<Record<string, unknown>>)[1];
    expect(seat.IsAudioDisabled).to.equal(true);
  });

  it('5. query keys in any case give the SdkAppid; routing follows the body, not the query', () => {
    for (const key of ['SdkAppid', 'SdkAppId', 'sdkappid']) {
      const query = { [key]: '1400000002', CallbackCommand: 'Live.CallbackAfterCreateRoom' };
      const event = build(fixture(CAPTURE), query);
      expect(event.sdkAppId, key).to.equal('1400000002');
      expect(event.command).to.equal('Live.CallbackAfterDestroyRoom');
      expect(event.query).to.deep.equal(query);
    }
    expect(build(fixture(CAPTURE), {}).sdkAppId).to.equal(null);
  });

  it('5. any OptPlatform is accepted and kept in the query as sent', () => {
    for (const platform of ['RESTAPI', 'iOs', 'rest_api', 'Unknown', 'HarmonyOS']) {
      const event = build(fixture(CAPTURE), { ...QUERY, OptPlatform: platform });
      expect(event.query.OptPlatform).to.equal(platform);
    }
  });

  it('6. unknown keys are kept, at the top level and inside blocks', () => {
    const body = fixtureObject(CAPTURE);
    body.NewTopLevel = { nested: [1, 'two'] };
    (body.RoomInfo as Record<string, unknown>).FutureFlag = 'x';
    body.Statistic = { TotalViewers: 3, TotalGiftsSent: 1, TotalGiftCoins: 10, TotalUniqueGiftSenders: 1, TotalLikesReceived: 9, TotalComments: 4 };
    const event = build(body);
    expect(event.body.NewTopLevel).to.deep.equal({ nested: [1, 'two'] });
    expect(roomInfoOf(event.body).FutureFlag).to.equal('x');
    expect((event.body.Statistic as Record<string, unknown>).TotalComments).to.equal(4);
  });

  it('6. big integers inside unknown keys keep every digit too', () => {
    const raw = seedWith({ Extra: { Ids: ['BIG'] } }).replace('"BIG"', '144115216631667826');
    expect(raw).to.contain('"Extra":{"Ids":[144115216631667826]}');
    const event = build(raw);
    expect(event.body.Extra).to.deep.equal({ Ids: ['144115216631667826'] });
  });

  it('7. EventTime is milliseconds; a numeric string is converted', () => {
    const event = build(seedWith({ EventTime: '1703589922780' }));
    expect(event.eventTime).to.equal(1703589922780);
    expect(event.body.EventTime).to.equal(1703589922780);
  });

  it('the room id may come only inside RoomInfo (destroy-room)', () => {
    const body = fixtureObject(CAPTURE);
    delete body.RoomId;
    const event = build(body);
    expect(event.roomId).to.equal('436');
    expect(event.body.RoomId).to.equal('436');
  });

  it('the top-level RoomId wins over RoomInfo.RoomId when both are sent', () => {
    const body = fixtureObject(CAPTURE);
    body.RoomId = 'top';
    expect(build(body).roomId).to.equal('top');
  });

  it('a lone To_Account id is taken as a list of one', () => {
    const body = fixtureObject('before-send-gift.json');
    (body.GiftWater as Record<string, unknown>).To_Account = 'anchor1';
    expect((build(body).body.GiftWater as { To_Account: string[] }).To_Account).to.deep.equal(['anchor1']);
  });
});
