/** Where the data matters, a bad body is a 400 whose message names the field and what is expected. */
import { expect } from 'chai';
import { build, fixtureObject, rejection, seedWith, CAPTURE } from './helpers';

function expectInvalid(body: string | object, field: string, expected: RegExp): void {
  const err = rejection(body);
  expect(err.code, err.message).to.equal('INVALID_BODY');
  expect(err.status).to.equal(400);
  expect(err.details.field).to.equal(field);
  expect(err.message.startsWith(`${field}: `), err.message).to.equal(true);
  expect(err.message).to.match(expected);
}

describe('strict validation', () => {
  describe('RoomId', () => {
    it('a destroy-room body with neither RoomId nor RoomInfo.RoomId is rejected naming RoomId', () => {
      expectInvalid(seedWith({ RoomId: undefined }), 'RoomId', /is required/);
      expectInvalid(seedWith({ RoomId: undefined, RoomInfo: undefined }), 'RoomId', /RoomInfo\.RoomId/);
    });

    it('must be a non-empty string', () => {
      expectInvalid(seedWith({ RoomId: '' }), 'RoomId', /must be a non-empty string/);
      expectInvalid(seedWith({ RoomId: 436 }), 'RoomId', /must be a non-empty string/);
      expectInvalid(seedWith({ RoomId: null }), 'RoomId', /must be a non-empty string/);
      expectInvalid(seedWith({ RoomId: ['r'] }), 'RoomId', /must be a non-empty string/);
    });

    it('must not be blank: only spaces would make every such room one room in the reports', () => {
      for (const blank of [' ', '   ', '\t', '\u3000']) expectInvalid(seedWith({ RoomId: blank }), 'RoomId', /must be a non-empty string, not only spaces/);
      const capture = fixtureObject(CAPTURE);
      delete capture.RoomId;
      (capture.RoomInfo as Record<string, unknown>).RoomId = '  ';
      expectInvalid(capture, 'RoomInfo.RoomId', /must be a non-empty string, not only spaces/);
      const battle = { CallbackCommand: 'Live.CallbackAfterStartBattle', BattleId: 'b1', FromRoomId: 'r1', ToRoomIdList: ['r2', ' '] };
      expectInvalid(battle, 'ToRoomIdList[1]', /must be a non-empty string, not only spaces/);
      expect(build(seedWith({ RoomId: ' room 7 ' })).roomId, 'spaces around an id are kept').to.equal(' room 7 ');
    });

    it('in RoomInfo.RoomId too, where the command does not declare RoomInfo (a gift, an owner change...)', () => {
      for (const name of ['before-send-gift.json', 'change-owner.json', 'member-state-changed.json']) {
        for (const blank of ['', '   ']) {
          const body = fixtureObject(name);
          delete body.RoomId;
          body.RoomInfo = { RoomId: blank };
          expectInvalid(body, 'RoomInfo.RoomId', /must be a non-empty string, not only spaces/);
        }
        for (const notText of ['123', '144115216631667826', 'null', 'true', '{}']) {
          const body = fixtureObject(name);
          delete body.RoomId;
          body.RoomInfo = { RoomId: 'PLACEHOLDER' };
          expectInvalid(JSON.stringify(body).replace('"PLACEHOLDER"', notText), 'RoomInfo.RoomId', /^RoomInfo\.RoomId: must be a non-empty string(, not a number \(send the id in quotes\))?$/);
        }
        const body = fixtureObject(name);
        delete body.RoomId;
        body.RoomInfo = { RoomId: 'room-9' };
        expect(build(body).roomId, name).to.equal('room-9');
      }
    });

    it('is refused as a JSON number whatever its size, even one too big for a double', () => {
      // The lossless parser turns an unsafe integer into a string; it must not pass as a room id.
      const seed = seedWith({ RoomId: 'PLACEHOLDER' });
      for (const digits of ['5', '1234567890123456', '12345678901234567', '144115216631667826', '123456789012345678901234567890']) {
        expectInvalid(seed.replace('"PLACEHOLDER"', digits), 'RoomId', /must be a non-empty string/);
      }
      const capture = fixtureObject(CAPTURE);
      delete capture.RoomId;
      const inInfo = JSON.stringify(capture).replace(/"RoomId":"[^"]*"/, '"RoomId":12345678901234567');
      expectInvalid(inInfo, 'RoomInfo.RoomId', /must be a non-empty string/);
      const battle = '{"CallbackCommand":"Live.CallbackAfterStartBattle","BattleId":"b1","FromRoomId":"r1","ToRoomIdList":["r2",98765432109876543]}';
      expectInvalid(battle, 'ToRoomIdList', /must be a non-empty string/);
    });

    it('a big number elsewhere (an account id) is still kept as its digits', () => {
      const seed = seedWith({ Operator_Account: 'PLACEHOLDER' }).replace('"PLACEHOLDER"', '144115216631667826');
      expect(build(seed).operator).to.equal('144115216631667826');
    });

    it('inside RoomInfo, must be a non-empty string too', () => {
      const body = fixtureObject(CAPTURE);
      delete body.RoomId;
      (body.RoomInfo as Record<string, unknown>).RoomId = '';
      expectInvalid(body, 'RoomInfo.RoomId', /must be a non-empty string/);
    });

    it('is required by the other room commands as well', () => {
      const owner = fixtureObject('change-owner.json');
      delete owner.RoomId;
      expectInvalid(owner, 'RoomId', /is required/);
      const gift = fixtureObject('before-send-gift.json');
      gift.RoomId = '';
      expectInvalid(gift, 'RoomId', /non-empty string/);
    });
  });

  describe('EventType (destroy-room)', () => {
    it('must be DestroyByUser or DestroyBySystem', () => {
      expectInvalid(seedWith({ EventType: 'DestroyByAdmin' }), 'EventType', /must be one of \[DestroyByUser, DestroyBySystem\]/);
      expectInvalid(seedWith({ EventType: 'destroybyuser' }), 'EventType', /must be one of/);
      expectInvalid(seedWith({ EventType: undefined }), 'EventType', /is required/);
    });
  });

  describe('EventTime', () => {
    it('is required for destroy-room', () => {
      expectInvalid(seedWith({ EventTime: undefined }), 'EventTime', /is required/);
    });

    it('must be an integer of milliseconds', () => {
      const ms = /must be an integer of milliseconds since the epoch/;
      expectInvalid(seedWith({ EventTime: 1703589922780.5 }), 'EventTime', ms);
      expectInvalid(seedWith({ EventTime: -1703589922780 }), 'EventTime', ms);
      expectInvalid(seedWith({ EventTime: 'yesterday' }), 'EventTime', ms);
      expectInvalid(seedWith({ EventTime: true }), 'EventTime', ms);
    });

    it('rejects seconds and microseconds instead of misdating the event', () => {
      expectInvalid(seedWith({ EventTime: 1703589922 }), 'EventTime', /got 1703589922$/);
      expectInvalid(seedWith({ EventTime: [1703589922780] }), 'EventTime', /got \[1703589922780\]$/);
      expectInvalid(seedWith({ EventTime: 1703589922780000 }), 'EventTime', /milliseconds/);
    });

    it('repeats at most 100 characters of a long wrong value', () => {
      const huge = JSON.stringify('\n'.repeat(200_000) + '\u202e'.repeat(1_000));
      const err = rejection(seedWith({ EventTime: JSON.parse(huge) }));
      expect(err.message).to.equal(
        `EventTime: must be an integer of milliseconds since the epoch (between 100000000000 and 100000000000000), got ${huge.slice(0, 100)}… (${huge.length} characters in all)`,
      );
    });

    it('is checked on the other commands when present', () => {
      const members = fixtureObject('member-state-changed.json');
      members.EventTime = 1703589922;
      expectInvalid(members, 'EventTime', /milliseconds/);
    });
  });

  describe('typed fields', () => {
    it('names nested fields by their path', () => {
      const body = fixtureObject(CAPTURE);
      (body.RoomInfo as Record<string, unknown>).Owner_Account = { id: 1 };
      expectInvalid(body, 'RoomInfo.Owner_Account', /must be an account id/);

      const members = fixtureObject('member-state-changed.json');
      (members.MemberList as object[])[1] = { Nick: 'tommy' };
      expectInvalid(members, 'MemberList[1].Member_Account', /is required/);
    });

    it('a Statistic block, when sent, must carry every figure as a non-negative integer', () => {
      const complete = { TotalViewers: 1, TotalGiftsSent: 2, TotalGiftCoins: 3, TotalUniqueGiftSenders: 1, TotalLikesReceived: 5 };
      expectInvalid(seedWith({ Statistic: { ...complete, TotalLikesReceived: undefined } }), 'Statistic.TotalLikesReceived', /is required/);
      expectInvalid(seedWith({ Statistic: { ...complete, TotalViewers: -1 } }), 'Statistic.TotalViewers', /at least 0/);
      expectInvalid(seedWith({ Statistic: { ...complete, TotalGiftCoins: 'many' } }), 'Statistic.TotalGiftCoins', /must be a number/);
      expectInvalid(seedWith({ Statistic: 'none' }), 'Statistic', /must be an object/);
    });

    it('checks the seed table types of RoomInfo', () => {
      const withInfo = (changes: Record<string, unknown>): object => {
        const body = fixtureObject(CAPTURE);
        Object.assign(body.RoomInfo as object, changes);
        return body;
      };
      expectInvalid(withInfo({ IsSeatEnabled: 'yes' }), 'RoomInfo.IsSeatEnabled', /must be a boolean/);
      expectInvalid(withInfo({ MaxMemberCount: 'lots' }), 'RoomInfo.MaxMemberCount', /must be a number/);
      expectInvalid(withInfo({ MaxSeatCount: 4.5 }), 'RoomInfo.MaxSeatCount', /must be an integer/);
      expectInvalid(withInfo({ Category: 'music' }), 'RoomInfo.Category', /must be an array/);
      expectInvalid(withInfo({ Category: [1, 'x'] }), 'RoomInfo.Category[1]', /must be a number/);
      expectInvalid(withInfo({ RoomName: 12 }), 'RoomInfo.RoomName', /must be a string/);
      expectInvalid(seedWith({ RoomInfo: 'x' }), 'RoomInfo', /must be an object/);
    });

    it('the gift callback needs its GiftWater with sender and receivers', () => {
      const gift = fixtureObject('before-send-gift.json');
      delete (gift.GiftWater as Record<string, unknown>).From_Account;
      expectInvalid(gift, 'GiftWater.From_Account', /is required/);
      delete gift.GiftWater;
      expectInvalid(gift, 'GiftWater', /is required/);
    });
  });
});
