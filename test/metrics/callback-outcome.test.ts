import { expect } from 'chai';
import { commandLabel, commandOfRefused, outcomeOfStatus } from '../../src/metrics/callback-outcome';

describe('callback metric labels', () => {
  it('maps each refusal status to its outcome, and anything unexpected to "error"', () => {
    const got = Object.fromEntries([400, 401, 403, 405, 413, 415, 500, 503, 404].map((s) => [s, outcomeOfStatus(s)]));
    expect(got).to.deep.equal({ 400: 'invalid', 401: 'unauthorized', 403: 'forbidden', 405: 'invalid', 413: 'too_large', 415: 'invalid', 500: 'error', 503: 'overloaded', 404: 'error' });
  });

  it('keeps the name of a known command only, so a client cannot create series at will', () => {
    expect(commandLabel('Live.CallbackAfterDestroyRoom')).to.equal('Live.CallbackAfterDestroyRoom');
    expect(commandLabel('Room.CallbackAfterMemberEnter')).to.equal('Room.CallbackAfterMemberEnter');
    expect(commandLabel('Live.CallbackAfterDestroyRoom2')).to.equal('unknown');
    expect(commandLabel('')).to.equal('unknown');
    expect(commandLabel(undefined)).to.equal('unknown');
  });

  it('reads a refused callback\'s command from its body first, else from the query in any case', () => {
    expect(commandOfRefused('{"CallbackCommand" : "Live.CallbackAfterCreateRoom", "RoomId": 1', { CallbackCommand: 'x' })).to.equal('Live.CallbackAfterCreateRoom');
    expect(commandOfRefused(undefined, { callbackcommand: 'Live.CallbackAfterDestroyRoom' })).to.equal('Live.CallbackAfterDestroyRoom');
    expect(commandOfRefused('{}', { CallbackCommand: ['Live.CallbackAfterEndBattle', 'x'] })).to.equal('Live.CallbackAfterEndBattle');
    expect(commandOfRefused('garbage', {})).to.equal(undefined);
  });
});
