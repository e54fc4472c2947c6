import { expect } from 'chai';
import { build, fixture, fixtureObject, seedWith, QUERY, SEED } from './helpers';

describe('event id (idempotency key)', () => {
  it('is the same when Tencent resends the same callback', () => {
    const raw = fixture(SEED);
    expect(build(raw).id).to.equal(build(raw, QUERY, 1_800_000_000_000).id);
  });

  it('for destroy-room, is the same for a resend serialised differently (key order, spacing)', () => {
    const seed = JSON.parse(seedWith({})) as Record<string, unknown>;
    const reordered = JSON.stringify(Object.fromEntries(Object.entries(seed).reverse()));
    expect(reordered).to.not.equal(seedWith({}));
    const spaced = JSON.stringify(JSON.parse(seedWith({})), null, 2);
    const id = build(seedWith({})).id;
    expect(build(reordered).id).to.equal(id);
    expect(build(spaced).id).to.equal(id);
  });

  it('does not depend on the case of the SdkAppid key', () => {
    const raw = fixture(SEED);
    expect(build(raw, { SdkAppid: '1400' }).id).to.equal(build(raw, { sdkappid: '1400' }).id);
  });

  it('differs when EventTime, EventType, RoomId, SdkAppid or command differ', () => {
    const id = build(seedWith({})).id;
    expect(build(seedWith({ EventTime: 1703589922781 })).id).to.not.equal(id);
    expect(build(seedWith({ EventType: 'DestroyBySystem' })).id).to.not.equal(id);
    expect(build(seedWith({ RoomId: 'another-room' })).id).to.not.equal(id);
    expect(build(seedWith({}), { ...QUERY, SdkAppid: '1400000002' }).id).to.not.equal(id);
    expect(build(seedWith({ CallbackCommand: 'Room.CallbackAfterDestroyRoom' })).id).to.not.equal(id);
  });

  it('tells apart member events that share a room and a millisecond', () => {
    const a = fixtureObject('member-state-changed.json');
    const b = { ...a, MemberList: [{ Member_Account: 'someone-else' }] };
    expect(build(a).id).to.not.equal(build(b).id);
    expect(build(a).id).to.equal(build(a).id);
  });

  it('for a command without EventTime (BeforeSendGift), an exact resend is a duplicate and another gift is not', () => {
    const raw = fixture('before-send-gift.json');
    const other = JSON.parse(raw) as { GiftWater: { Count: number } };
    other.GiftWater.Count = 2;
    expect(build(raw).id).to.equal(build(raw).id);
    expect(build(other).id).to.not.equal(build(raw).id);
  });

  it('for an unknown command, an exact resend is a duplicate', () => {
    const raw = '{"CallbackCommand":"Live.CallbackAfterX","RoomId":"r","EventTime":1703589922780}';
    expect(build(raw).id).to.equal(build(raw).id);
    expect(build(raw.replace('"r"', '"s"')).id).to.not.equal(build(raw).id);
  });

  it('starts with the EventTime, so that ids of events in time order sort in that order (the unique index grows at its end)', () => {
    const early = build(seedWith({ EventTime: 1703589922780 })).id;
    const late = build(seedWith({ EventTime: 1703589922781 })).id;
    expect(early).to.match(/^[0-9a-f]{32}$/);
    expect(early.slice(0, 12)).to.equal((1703589922780).toString(16).padStart(12, '0'));
    expect(early < late).to.equal(true);
    expect(build(fixture('before-send-gift.json')).id.slice(0, 12)).to.equal('000000000000');
  });
});
