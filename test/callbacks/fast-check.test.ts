/**
 * The compiled check of the hot path and joi agree: wherever the compiled
 * check gives an answer, it is joi's value exactly, and joi accepts the body;
 * wherever joi refuses, the compiled check gives none (joi speaks). Checked
 * on every fixture and on thousands of bodies mutated from them.
 */
import { expect } from 'chai';
import { parseJsonLossless } from '../../src/callbacks/lossless-json';
import { fastCheckOf } from '../../src/callbacks/fast-check';
import { COMMANDS } from '../../src/callbacks/schemas';
import { fixture } from './helpers';

const FIXTURES = [
  'destroy-room.seed-example.json',
  'destroy-room.production-capture.json',
  'create-room.json',
  'update-room-info.json',
  'member-state-changed.json',
  'change-owner.json',
  'seat-info-changed.json',
  'before-send-gift.json',
  'room-destroy-roomkit.json',
];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A small deterministic PRNG, so a failure can be reproduced from its seed. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** What a sender gets wrong, or what Tencent sends oddly. */
const ODD_VALUES: Json[] = [null, '', ' ', '\t', ' r ', 'true', 'false', 'TRUE', '12', '12.5', 'x', 0, -1, 1.5, 12, 1e11, 1e14 + 1, 2 ** 53, '144115216631667826', true, false, [], [1, 'a'], {}, { RoomId: 'r' }, { RoomId: ' ' }, { RoomId: '' }, ['only'], [null]];

function mutate(value: Json, random: () => number, depth = 0): Json {
  if (value !== null && typeof value === 'object' && depth < 4) {
    if (Array.isArray(value)) {
      const copy = value.map((v) => (random() < 0.3 ? mutate(v, random, depth + 1) : v));
      if (random() < 0.1) copy.push(ODD_VALUES[Math.floor(random() * ODD_VALUES.length)]!);
      return copy;
    }
    const copy: Record<string, Json> = { ...value };
    for (const key of Object.keys(copy)) {
      const r = random();
      if (r < 0.08) delete copy[key];
      else if (r < 0.2) copy[key] = ODD_VALUES[Math.floor(random() * ODD_VALUES.length)]!;
      else if (r < 0.45) copy[key] = mutate(copy[key]!, random, depth + 1);
    }
    if (random() < 0.1) copy[`Extra${Math.floor(random() * 3)}`] = ODD_VALUES[Math.floor(random() * ODD_VALUES.length)]!;
    return copy;
  }
  return value;
}

function agree(command: string, body: Record<string, unknown>, context: string): 'fast' | 'joi' {
  const spec = COMMANDS.get(command)!;
  const check = fastCheckOf(spec.schema);
  expect(check, `${command} compiles`).to.not.equal(null);
  const fast = check!(structuredClone(body));
  const joi = spec.schema.validate(structuredClone(body));
  if (fast === undefined) return 'joi';
  expect(joi.error?.message, `${context}: joi refuses what the compiled check accepted`).to.equal(undefined);
  expect(fast, `${context}: the values differ`).to.deep.equal(joi.value);
  expect(Object.keys(fast as object), `${context}: key order`).to.deep.equal(Object.keys(joi.value as object));
  return 'fast';
}

describe('the compiled check of the hot path', () => {
  it('compiles every command schema', () => {
    for (const [command, spec] of COMMANDS) expect(fastCheckOf(spec.schema), command).to.not.equal(null);
  });

  it('gives joi\'s exact value for every fixture, without asking joi', () => {
    for (const name of FIXTURES) {
      const body = parseJsonLossless(fixture(name)) as Record<string, unknown>;
      expect(agree(body.CallbackCommand as string, body, name), name).to.equal('fast');
    }
  });

  it('agrees with joi on 20,000 mutated bodies: same value where it answers, no answer where joi refuses', () => {
    let fast = 0;
    let joi = 0;
    for (const name of FIXTURES) {
      const base = parseJsonLossless(fixture(name)) as Record<string, Json>;
      const command = base.CallbackCommand as string;
      for (let seed = 1; seed <= 20_000 / FIXTURES.length; seed++) {
        const body = mutate(base, prng(seed * 7919 + name.length)) as Record<string, unknown>;
        if (body === null || typeof body !== 'object' || Array.isArray(body)) continue;
        if (agree(command, body, `${name} seed ${seed}`) === 'fast') fast++;
        else joi++;
      }
    }
    // Both paths were exercised: the check answers for many and leaves the rest to joi.
    expect(fast).to.be.greaterThan(1000);
    expect(joi).to.be.greaterThan(1000);
  });
});
