/** The line buffer behind a plugin's stdout and stderr: whole lines out, whatever the writes. */
import { expect } from 'chai';
import { lineBuffer } from '../../src/isolate/inside/stdio-lines';

describe("the line buffer of a plugin's stdout and stderr", () => {
  const collect = () => {
    const out: string[] = [];
    return { out, buffer: lineBuffer((lines) => out.push(lines)) };
  };

  it('hands on whole lines only, joining the pieces of one', () => {
    const { out, buffer } = collect();
    buffer.write('half ');
    buffer.write(Buffer.from('a line\nand the start '));
    buffer.write('of another', 'utf8', () => undefined);
    expect(out).to.deep.equal(['half a line\n']);
    buffer.write('\n');
    expect(out).to.deep.equal(['half a line\n', 'and the start of another\n']);
  });

  it('joins a character split across Buffers, and ends one left unfinished on its own line', () => {
    const { out, buffer } = collect();
    const euro = Buffer.from('€'); // three bytes
    buffer.write(Buffer.concat([Buffer.from('price 5'), euro.subarray(0, 1)]));
    buffer.write(Buffer.concat([euro.subarray(1), Buffer.from('\n')]));
    buffer.write(Buffer.concat([Buffer.from('cut '), euro.subarray(0, 2)]));
    buffer.write('\n');
    buffer.write('next\n');
    expect(out).to.deep.equal(['price 5€\n', 'cut \uFFFD\n', 'next\n']);
  });

  it('decodes strings written in another encoding, and flushes what is left with a newline', () => {
    const { out, buffer } = collect();
    buffer.write(Buffer.from('hex line\n').toString('hex'), 'hex');
    buffer.write('no newline at the end');
    buffer.flush();
    expect(out).to.deep.equal(['hex line\n', 'no newline at the end\n']);
  });

  it('lets a line that never ends go out at 64 KiB', () => {
    const { out, buffer } = collect();
    buffer.write('x'.repeat(70_000));
    expect(out.map((l) => l.length)).to.deep.equal([70_001]);
  });
});
