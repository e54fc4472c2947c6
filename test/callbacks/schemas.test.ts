/** Every command CALLBACKS.md lists has a schema, and a body shaped as Tencent documents it passes. */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KNOWN_COMMANDS } from '../../src/callbacks/schemas';
import { build, rejection, REFERENCE_DIR } from './helpers';

const T = 1739956146119;

/** Bodies after Tencent's documentation pages, for the commands without a fixture. */
const DOCUMENTED: Record<string, object> = {
  'Live.CallbackAfterModifyAdmin': { RoomId: 'room_id', EventTime: T, Operator_Account: 'admin', Admin_Account: ['user1', 'user2'], opType: 'add' },
  'Live.CallbackAfterSetMetadata': { Operator_Account: 'brennanli', RoomId: 'live-room1111', Metadata: [{ Key: 'key1', Value: 'value1' }], EventTime: T },
  'Live.CallbackAfterDelMetadata': { Operator_Account: 'brennanli', RoomId: 'live-room1111', Keys: ['key1'], EventTime: T },
  'Live.CallbackAfterCreateRoomReachingThreshold': { Operator_Account: 'brennanli', EventTime: T, CurRoomCount: 400, MaxRoomCount: 500 },
  'Live.CallbackAfterCreateBattle': { Operator_Account: 'brennanli', BattleId: '4siHsNsWN/T3aub9zKraqPbSEGRX2z6gs3LDFi+d/3M=', FromRoomId: 'pk-3', ToRoomIdList: ['pk-5'], Timeout: 30000, EventTime: T },
  'Live.CallbackAfterStartBattle': {
    BattleId: 'b1', Duration: 60000, CreateTime: 1739954005, StartTime: 1739954005,
    FromRoomInfo: { RoomId: 'pk-3', Owner_Account: 'brennan' }, ToRoomList: [{ RoomId: 'pk-5', Owner_Account: 'tandy' }], EventTime: 1739954005000,
  },
  'Live.CallbackAfterEndBattle': {
    BattleId: 'b1', Duration: 30000, CreateTime: 1739956115, StartTime: 1739956115, EndTime: 1739956145, OpType: 0,
    FromRoomInfo: { RoomId: 'pk-3', Score: 0, Owner_Account: 144 }, ToRoomList: [{ RoomId: 'pk-5', Score: 0, Owner_Account: 'x' }], EventTime: T,
  },
  'Room.CallbackAfterCreateRoom': { Operator_Account: 'admin', RoomInfo: { RoomId: 'meeting-1', RoomType: 'Meeting', Owner_Account: 'u1' } },
  'Room.CallbackAfterUpdateRoomInfo': { Operator_Account: 'admin', RoomInfo: { RoomId: 'meeting-1', RoomName: 'renamed' }, EventTime: T },
  'Room.CallbackAfterMemberEnter': { RoomId: 'meeting-1', MemberList: [{ Member_Account: 144115216 }], EventTime: T },
  'Room.CallbackAfterMemberLeave': { RoomId: 'meeting-1', Member_Account: 'u2', EventTime: T },
};

describe('command schemas', () => {
  it('cover every command CALLBACKS.md lists', () => {
    const reference = readFileSync(join(REFERENCE_DIR, 'CALLBACKS.md'), 'utf8');
    const listed = new Set(reference.match(/\b(?:Live|Mic|Room)\.Callback[A-Za-z]+/g));
    // The battle trio is written "CreateBattle / StartBattle / EndBattle".
    listed.add('Live.CallbackAfterStartBattle');
    listed.add('Live.CallbackAfterEndBattle');
    expect(listed.size).to.be.greaterThanOrEqual(19);
    for (const command of listed) expect(KNOWN_COMMANDS, command).to.include(command);
  });

  for (const [command, body] of Object.entries(DOCUMENTED)) {
    it(`accepts ${command} as documented`, () => {
      const event = build({ CallbackCommand: command, ...body });
      expect(event.known).to.equal(true);
      expect(event.command).to.equal(command);
    });
  }

  it('normalizes account ids in battle room lists', () => {
    const event = build({ CallbackCommand: 'Live.CallbackAfterEndBattle', ...DOCUMENTED['Live.CallbackAfterEndBattle'] });
    expect((event.body.FromRoomInfo as { Owner_Account: string }).Owner_Account).to.equal('144');
    expect(event.roomId).to.equal(null);
  });

  it('a battle needs its BattleId', () => {
    const err = rejection({ CallbackCommand: 'Live.CallbackAfterStartBattle', EventTime: T });
    expect(err.details.field).to.equal('BattleId');
    expect(err.message).to.equal('BattleId: is required');
  });

  it('Room.CallbackAfterDestroyRoom still checks EventType when it is sent', () => {
    const err = rejection({ CallbackCommand: 'Room.CallbackAfterDestroyRoom', RoomId: 'm', EventTime: T, EventType: 'Gone' });
    expect(err.details.field).to.equal('EventType');
  });
});
