/**
 * Content-Encoding and charset of a callback body, through real HTTP: what is
 * stored is the text the client meant, and what cannot be read is a 4xx
 * that says why, never a 500.
 */
import zlib from 'node:zlib';
import iconv from 'iconv-lite';
import { expect } from 'chai';
import { fixture, startTestService, type TestService } from '../helpers/service';

const QUERY = 'SdkAppid=1400000001';
const CAP = 64 * 1024;

/** The production capture (room name 夏季40度) with its own RoomId and EventTime, so each test's event is new. */
function capture(roomId: string, extra: Record<string, unknown> = {}): string {
  const body = JSON.parse(fixture('destroy-room.production-capture.json'));
  Object.assign(body, { RoomId: roomId, EventTime: 1756986061775 + roomId.length, ...extra });
  return JSON.stringify(body);
}

interface Answer {
  status: number;
  body: { ActionStatus: string; ErrorCode: number; ErrorInfo: string };
}

async function send(svc: TestService, body: Buffer | string, headers: Record<string, string>): Promise<Answer> {
  const res = await fetch(`${svc.url}/callback?${QUERY}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { status: res.status, body: JSON.parse(await res.text()) };
}

describe('POST /callback: body encodings and charsets', () => {
  let svc: TestService;
  before(async () => {
    svc = await startTestService({ onlyPlugins: [], config: { http: { bodyLimitBytes: CAP } } });
  });
  after(() => svc.stop());

  async function stored(roomId: string): Promise<{ raw: string; body: any }> {
    const events = await svc.service.store.readEvents(0, 10_000);
    const found = events.filter((e) => e.event.roomId === roomId).pop();
    expect(found, `event of room ${roomId} stored`).to.not.equal(undefined);
    return { raw: found!.event.raw, body: found!.event.body };
  }

  it('takes gzip, deflate (zlib and raw), br and identity bodies, stored as the text that was compressed', async () => {
    const cases: Array<[string, (b: Buffer) => Buffer]> = [
      ['gzip', (b) => zlib.gzipSync(b)],
      ['x-gzip', (b) => zlib.gzipSync(b)],
      ['deflate', (b) => zlib.deflateSync(b)],
      ['deflate', (b) => zlib.deflateRawSync(b)],
      ['br', (b) => zlib.brotliCompressSync(b)],
      ['identity', (b) => b],
      ['gzip, br', (b) => zlib.brotliCompressSync(zlib.gzipSync(b))],
    ];
    for (const [index, [coding, compress]] of cases.entries()) {
      const text = capture(`enc-${index}`);
      const res = await send(svc, compress(Buffer.from(text)), { 'content-encoding': coding });
      expect(res.status, `${coding}: ${JSON.stringify(res.body)}`).to.equal(200);
      const event = await stored(`enc-${index}`);
      expect(event.raw, coding).to.equal(text);
      expect(event.body.RoomInfo.RoomName).to.equal('夏季40度');
    }
  });

  it('answers a corrupt gzip, deflate or br body 400 saying it is corrupt, and logs no livehook bug', async () => {
    const good = zlib.gzipSync(Buffer.from(capture('corrupt')));
    const truncated = good.subarray(0, good.length - 12);
    const garbage = Buffer.from('this is not compressed at all, whatever the header says');
    for (const [coding, body] of [['gzip', truncated], ['gzip', garbage], ['deflate', garbage], ['br', garbage]] as const) {
      const res = await send(svc, body, { 'content-encoding': coding });
      expect(res.status, coding).to.equal(400);
      expect(res.body.ActionStatus).to.equal('FAIL');
      expect(res.body.ErrorCode).to.equal(40007);
      expect(res.body.ErrorInfo).to.contain(`not valid ${coding} data`);
    }
    expect(svc.logs.filter((l) => l.msg === 'request failed inside livehook')).to.deep.equal([]);
  });

  it('answers an unknown Content-Encoding 415 naming it', async () => {
    const res = await send(svc, capture('zstd'), { 'content-encoding': 'zstd' });
    expect(res.status).to.equal(415);
    expect(res.body.ActionStatus).to.equal('FAIL');
    expect(res.body.ErrorInfo).to.contain('Content-Encoding "zstd" is not supported');
  });

  it('answers 413 for a small gzip that inflates past the cap (zip bomb)', async () => {
    const bomb = zlib.gzipSync(Buffer.alloc(50 * 1024 * 1024, 0x20));
    expect(bomb.length).to.be.below(CAP);
    const res = await send(svc, bomb, { 'content-encoding': 'gzip' });
    expect(res.status).to.equal(413);
    expect(res.body.ActionStatus).to.equal('FAIL');
    expect(res.body.ErrorInfo).to.contain(`over the limit of ${CAP} bytes once decompressed`);
    // Still serving.
    expect((await send(svc, capture('after-bomb'), {})).status).to.equal(200);
  });

  it('decodes a body declared charset=gbk (and gb18030): the Chinese text is stored as sent, not as U+FFFD', async () => {
    for (const charset of ['gbk', 'GB18030', '"gbk"']) {
      const roomId = `gbk-${charset.replace(/\W/g, '')}`;
      const text = capture(roomId, { Operator_Account: '主播小明' });
      const bytes = iconv.encode(text, charset.replace(/"/g, ''));
      expect(bytes.equals(Buffer.from(text)), 'GBK bytes differ from UTF-8 ones').to.equal(false);
      const res = await send(svc, bytes, { 'content-type': `application/json; charset=${charset}` });
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      const event = await stored(roomId);
      expect(event.raw).to.equal(text);
      expect(event.raw).to.not.contain('\ufffd');
      expect(event.body.RoomInfo.RoomName).to.equal('夏季40度');
      expect(event.body.Operator_Account).to.equal('主播小明');
    }
  });

  it('refuses bytes that are no characters in the declared charset (40009), instead of storing U+FFFD', async () => {
    const inCharset = (charset: string, text: string) => iconv.encode(text, charset);
    for (const [charset, bytes] of [['gbk', [0x81, 0xff]], ['big5', [0xff, 0xff]], ['us-ascii', [0xe9, 0xe9]], ['utf-16le', [0x00, 0xd8]], ['cesu8', [0xed, 0xa0, 0x80]]] as const) {
      const body = Buffer.concat([inCharset(charset, '{"CallbackCommand":"Live.CallbackAfterDestroyRoom","RoomId":"'), Buffer.from(bytes), inCharset(charset, '","EventType":"DestroyByUser","EventTime":1703589922780}')]);
      const res = await send(svc, body, { 'content-type': `application/json; charset=${charset}` });
      expect(res.status, charset).to.equal(400);
      expect(res.body.ErrorCode).to.equal(40009);
      expect(res.body.ErrorInfo).to.equal(`the body is not valid ${charset}, the charset its Content-Type declares: some of its bytes are no characters in it`);
    }
  });

  it('refuses a JSON escape of half a character (a lone surrogate, which no store keeps), and takes whole ones', async () => {
    const withRoom = (room: string) => `{"CallbackCommand":"Live.CallbackAfterDestroyRoom","RoomId":"${room}","EventType":"DestroyByUser","EventTime":1703589922780}`;
    for (const room of ['\\ud800', 'a\\udbffb', '\\udc00x', '\\ud83d\\ud83d\\ude00']) {
      const res = await send(svc, withRoom(room), {});
      expect(res.status, room).to.equal(400);
      expect(res.body.ErrorCode).to.equal(40009);
      expect(res.body.ErrorInfo).to.match(/^the body holds "\\u[dD][89a-fA-F][0-9a-fA-F]{2}" at position \d+, half of a character/);
    }
    // A whole character (an emoji as its escaped pair), and an escaped backslash followed by the letters "ud800".
    for (const [room, stored] of [['\\ud83d\\ude00-room', '\u{1F600}-room'], ['\\\\ud800', '\\ud800']] as const) {
      const res = await send(svc, withRoom(room), {});
      expect(res.status, room).to.equal(200);
      expect((await svc.service.store.readEvents(0, 10_000)).some((e) => e.event.roomId === stored), room).to.equal(true);
    }
  });

  it('decodes gzip first, then the charset', async () => {
    const text = capture('gbk-gzip');
    const res = await send(svc, zlib.gzipSync(iconv.encode(text, 'gbk')), { 'content-type': 'application/json;charset=GBK', 'content-encoding': 'gzip' });
    expect(res.status).to.equal(200);
    expect((await stored('gbk-gzip')).raw).to.equal(text);
  });

  it('answers an unknown charset 415 naming it, and base64 or hex, which are not charsets', async () => {
    for (const charset of ['klingon-8', 'base64', 'HEX']) {
      const res = await send(svc, capture('klingon'), { 'content-type': `application/json; charset=${charset}` });
      expect(res.status, charset).to.equal(415);
      expect(res.body.ActionStatus).to.equal('FAIL');
      expect(res.body.ErrorCode).to.equal(41501);
      expect(res.body.ErrorInfo).to.contain(`charset "${charset}" of Content-Type is not supported`);
    }
  });
});
