import { expect } from 'chai';
import { isQuarantinable } from '../../src/callbacks/build-event';
import { LivehookError } from '../../src/errors';
import { build, fixture, rejection, QUERY, SEED } from './helpers';

describe('buildEvent', () => {
  describe('bodies that are not a callback', () => {
    it('malformed JSON is BAD_JSON (400) with the position', () => {
      const err = rejection('{"CallbackCommand":"Live.CallbackAfterDestroyRoom",}');
      expect(err.code).to.equal('BAD_JSON');
      expect(err.status).to.equal(400);
      expect(err.message).to.match(/^malformed JSON at position 51: /);
      expect(err.details.position).to.equal(51);
    });

    it('an empty or blank body is EMPTY_BODY', () => {
      for (const raw of ['', '   \r\n', '\ufeff']) {
        const err = rejection(raw);
        expect(err.code, JSON.stringify(raw)).to.equal('EMPTY_BODY');
        expect(err.message).to.match(/empty.*JSON object/);
      }
    });

    it('a JSON value that is not an object is NOT_AN_OBJECT, saying what it got', () => {
      const cases: Array<[string, RegExp]> = [
        ['[{"CallbackCommand":"x"}]', /got an array/],
        ['"Live.CallbackAfterDestroyRoom"', /got a string/],
        ['42', /got a number/],
        ['null', /got null/],
      ];
      for (const [raw, expected] of cases) {
        const err = rejection(raw);
        expect(err.code, raw).to.equal('NOT_AN_OBJECT');
        expect(err.status).to.equal(400);
        expect(err.message).to.match(/must be a JSON object/).and.to.match(expected);
      }
    });

    it('a body without a string CallbackCommand is MISSING_COMMAND naming the field', () => {
      const cases: Array<[object, RegExp]> = [
        [{ RoomId: 'r' }, /it is missing/],
        [{ CallbackCommand: 7 }, /got a number/],
        [{ CallbackCommand: '' }, /non-empty string in the body, got an empty string/],
        [{ CallbackCommand: null }, /got null/],
      ];
      for (const [body, expected] of cases) {
        const err = rejection(body);
        expect(err.code, JSON.stringify(body)).to.equal('MISSING_COMMAND');
        expect(err.details.field).to.equal('CallbackCommand');
        expect(err.message).to.match(/^CallbackCommand: /).and.to.match(expected);
      }
    });

    it('skips a UTF-8 byte-order mark but keeps the raw body as received', () => {
      const raw = '\ufeff' + fixture(SEED);
      const event = build(raw);
      expect(event.roomId).to.equal('tandy-test-rest');
      expect(event.raw).to.equal(raw);
    });
  });

  describe('a command with no schema', () => {
    const raw =
      '{"CallbackCommand":"Live.CallbackAfterSomethingNew","RoomId":"room-9","EventTime":1703589922780,"EventType":"Sparkle",' +
      '"Operator_Account":144115216631667826,"Payload":{"Big":144115233775727695,"Flag":"true"}}';

    it('is accepted with known=false, its body as parsed with big ids as strings', () => {
      const event = build(raw);
      expect(event.known).to.equal(false);
      expect(event.command).to.equal('Live.CallbackAfterSomethingNew');
      expect(event.body).to.deep.equal({
        CallbackCommand: 'Live.CallbackAfterSomethingNew',
        RoomId: 'room-9',
        EventTime: 1703589922780,
        EventType: 'Sparkle',
        Operator_Account: '144115216631667826',
        Payload: { Big: '144115233775727695', Flag: 'true' },
      });
      expect(event.roomId).to.equal('room-9');
      expect(event.eventTime).to.equal(1703589922780);
      expect(event.eventType).to.equal('Sparkle');
      expect(event.operator).to.equal('144115216631667826');
      expect(event.raw).to.equal(raw);
    });

    it('is refused when it is a known command in another case or with spaces around it, naming the command', () => {
      for (const written of ['live.callbackafterdestroyroom', 'Live.CallbackAfterDestroyRoom ', ' LIVE.CALLBACKAFTERDESTROYROOM']) {
        const err = rejection({ CallbackCommand: written, RoomId: 'r', EventTime: 1703589922780 });
        expect(err.code, written).to.equal('INVALID_BODY');
        expect(err.message).to.equal(`CallbackCommand: "${written}" is not a command; did you mean "Live.CallbackAfterDestroyRoom"? (commands are matched exactly: case, spaces and look-alike characters count)`);
        expect(err.details).to.deep.equal({ field: 'CallbackCommand' });
      }
      // Characters no command has, near a known one: a zero-width space, a NUL, a full-width L, a dotless i.
      for (const [written, shown] of [
        ['Live.CallbackAfterDestroyRoom\u200b', 'Live.CallbackAfterDestroyRoom\\u200b'],
        ['Live.CallbackAfterDestroyRoom\u0000', 'Live.CallbackAfterDestroyRoom\\u0000'],
        ['\uff2cive.CallbackAfterDestroyRoom', '\\uff2cive.CallbackAfterDestroyRoom'],
        ['L\u0131ve.CallbackAfterDestroyRoom', 'L\\u0131ve.CallbackAfterDestroyRoom'],
      ]) {
        const err = rejection({ CallbackCommand: written, RoomId: 'r', EventTime: 1703589922780 });
        expect(err.message, shown).to.equal(`CallbackCommand: "${shown}" is not a command; did you mean "Live.CallbackAfterDestroyRoom"? (commands are matched exactly: case, spaces and look-alike characters count)`);
      }
      // A new command, however close to a known one, is taken as written.
      expect(build({ CallbackCommand: 'Live.CallbackAfterDestroyRooms' }).known).to.equal(false);
    });

    it('is not validated: odd field types do not reject it', () => {
      const event = build({ CallbackCommand: 'Room.CallbackAfterSomething', RoomInfo: { RoomId: 77 }, EventTime: 'soon', Operator_Account: { x: 1 } });
      expect(event.known).to.equal(false);
      expect(event.roomId).to.equal('77');
      expect(event.eventTime).to.equal(null);
      expect(event.operator).to.equal(null);
    });
  });

  describe('isQuarantinable', () => {
    it('is true for what the body says wrong, false for everything else', () => {
      expect(isQuarantinable(rejection('{"a":'))).to.equal(true);
      expect(isQuarantinable(rejection('[]'))).to.equal(true);
      expect(isQuarantinable(rejection('{}'))).to.equal(true);
      expect(isQuarantinable(rejection({ CallbackCommand: 'Live.CallbackAfterDestroyRoom' }))).to.equal(true);
      expect(isQuarantinable(rejection(''))).to.equal(false);
      expect(isQuarantinable(new LivehookError('AUTH_REQUIRED', 'bad Sign'))).to.equal(false);
      expect(isQuarantinable(new LivehookError('TOO_LARGE', 'too big'))).to.equal(false);
      expect(isQuarantinable(new SyntaxError('x'))).to.equal(false);
    });
  });

  it('hands the query on exactly as given', () => {
    const query = { ...QUERY, sdkappid: 'other', Extra: 'kept' };
    expect(build(fixture(SEED), query).query).to.deep.equal(query);
  });
});
