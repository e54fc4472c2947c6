import { expect } from 'chai';
import { readdirSync } from 'node:fs';
import { FIXTURES_DIR, build, fixture, QUERY, SEED, CAPTURE } from './helpers';

describe('buildEvent on the reference fixtures', () => {
  const files = readdirSync(FIXTURES_DIR).filter((f) => f.endsWith('.json'));

  it('finds the fixtures', () => {
    expect(files.length).to.be.greaterThanOrEqual(9);
  });

  for (const file of files) {
    it(`accepts ${file} as a known command with its room and times`, () => {
      const raw = fixture(file);
      const event = build(raw);
      const sent = JSON.parse(raw) as Record<string, unknown>;
      expect(event.known).to.equal(true);
      expect(event.command).to.equal(sent.CallbackCommand);
      expect(event.raw).to.equal(raw);
      expect(event.query).to.deep.equal(QUERY);
      expect(event.sdkAppId).to.equal('1400000001');
      expect(event.receivedAt).to.equal(1_700_000_000_000);
      expect(event.id).to.match(/^[0-9a-f]{32}$/);
      const info = sent.RoomInfo as { RoomId?: string } | undefined;
      expect(event.roomId).to.equal(sent.RoomId ?? info?.RoomId);
      expect(event.body.RoomId).to.equal(event.roomId);
      expect(event.eventTime).to.equal(sent.EventTime ?? null);
      expect(event.eventType).to.equal(sent.EventType ?? null);
      expect(event.operator).to.equal(sent.Operator_Account ?? null);
    });
  }

  it('keeps the seed example complete, its 18-digit Owner_Account exact', () => {
    const event = build(fixture(SEED));
    expect(event.body).to.deep.equal({
      CallbackCommand: 'Live.CallbackAfterDestroyRoom',
      Operator_Account: 'admin',
      RoomId: 'tandy-test-rest',
      EventType: 'DestroyByUser',
      EventTime: 1703589922780,
      RoomInfo: {
        RoomName: 'live name',
        RoomType: 'Live',
        Owner_Account: '144115216631667826',
        IsSeatEnabled: true,
        TakeSeatMode: 'FreeToTake',
        MaxMemberCount: 400,
        MaxSeatCount: 4,
        Category: [1, 2, 3],
        CustomInfo: '',
        IsMessageDisabled: false,
        CoverURL: 'cover url',
        ActivityStatus: 0,
        IsPublicVisible: false,
        ViewCount: 0,
        BackgroundURL: 'background url',
        IsUnlimitedRoomEnabled: true,
      },
      Statistic: { TotalViewers: 0, TotalGiftsSent: 0, TotalGiftCoins: 0, TotalUniqueGiftSenders: 0, TotalLikesReceived: 0 },
    });
  });

  it('takes the production capture: system operator, no Statistic, no Category', () => {
    const event = build(fixture(CAPTURE));
    expect(event.eventType).to.equal('DestroyBySystem');
    expect(event.operator).to.equal('@TIM#SYSTEM');
    expect(event.roomId).to.equal('436');
    expect(event.body).to.not.have.property('Statistic');
    expect(event.body.RoomInfo).to.not.have.property('Category');
    expect((event.body.RoomInfo as { RoomName: string }).RoomName).to.equal('夏季40度');
  });

  it('keeps the seat list member id exact', () => {
    const event = build(fixture('seat-info-changed.json'));
    const seats = event.body.SeatList as Array<{ Member_Account?: string }>;
    expect(seats[0].Member_Account).to.equal('144115233775727695');
    expect(seats[1]).to.not.have.property('Member_Account');
  });

  it('fills the top-level RoomId from RoomInfo when only RoomInfo has it (create room)', () => {
    const event = build(fixture('create-room.json'));
    expect(event.roomId).to.equal('tandy-test-rest');
    expect(event.body.RoomId).to.equal('tandy-test-rest');
    expect((event.body.RoomInfo as { RoomId: string }).RoomId).to.equal('tandy-test-rest');
  });
});
