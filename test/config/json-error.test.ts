/** A config file that is not JSON is explained where an editor shows it, with the usual mistakes named. */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { explainJsonError } from '../../src/config/json-error';
import { firstDuplicateKey, syntaxErrorOffset } from '../../src/util/json-syntax';
import { REPO_ROOT } from '../helpers/service';

function explain(text: string): string {
  try {
    JSON.parse(text);
  } catch (err) {
    return explainJsonError(text, err as Error);
  }
  throw new Error('expected invalid JSON');
}

describe('config files that are not JSON', () => {
  it('names a trailing comma at the line of the comma, in objects and lists', () => {
    expect(explain('{\n  "port": 8080,\n  "log": { "level": "info", },\n  "dataDir": "./data"\n}\n')).to.equal(
      'a comma before "}" at line 3, column 27 ("log": { "level": "info", },): JSON allows no comma after the last item',
    );
    expect(explain('{\n  "to": ["a@example.com",\n  ]\n}')).to.match(/^a comma before "\]" at line 2, column 25 .*no comma after the last item$/);
  });

  it('asks whether a comma is missing at the end of the line before', () => {
    expect(explain('{\n  "port": 8080\n  "dataDir": "./data"\n}')).to.equal(
      'Expected \',\' or \'}\' after property value at line 3, column 3 ("dataDir": "./data"): is a comma missing at the end of line 2?',
    );
  });

  it('says JSON has no comments', () => {
    expect(explain('{\n  "port": 8080, // the port\n  "dataDir": "./data"\n}')).to.match(/^a comment at line 2, column 17 .*JSON has no comments/);
    expect(explain('/* livehook */ {}')).to.match(/^a comment at line 1, column 1/);
  });

  it('places the other mistakes by line and column, where V8 gives no position too', () => {
    expect(explain("{\n  'port': 80\n}")).to.match(/at line 2, column 3 \('port': 80\)$/);
    expect(explain('{\n  "port": 08\n}')).to.match(/^Unexpected number at line 2, column 12/);
    expect(explain('{"port": 80,\n')).to.equal('the file ends after line 1, before the JSON does: is a closing "}" or "]" missing?');
    expect(explain('\n')).to.equal('the file is empty: write {} for every default');
  });

  it('finds a key named twice in one object, not the same key in two objects', () => {
    expect(firstDuplicateKey('{"a": {"x": 1}, "b": {"x": 2}}')).to.equal(null);
    expect(firstDuplicateKey('{"a": {"x": 1, "y": 2, "\\u0078": 3}}')).to.deep.equal({ key: 'x', offset: 23 });
    expect(firstDuplicateKey('{"a": 1,')).to.equal(null);
  });

  it('finds the same texts invalid as JSON.parse: the fixtures, and each of them cut or changed at every place', function () {
    this.timeout(20_000);
    const dir = path.join(REPO_ROOT, 'test', 'fixtures');
    const texts = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => fs.readFileSync(path.join(dir, f), 'utf8'));
    let checked = 0;
    for (const text of texts) {
      expect(syntaxErrorOffset(text)).to.equal(null);
      for (let i = 0; i < text.length; i += 7) {
        for (const changed of [text.slice(0, i), text.slice(0, i) + text.slice(i + 1), `${text.slice(0, i)},${text.slice(i)}`, `${text.slice(0, i)}"${text.slice(i)}`]) {
          let valid = true;
          try {
            JSON.parse(changed);
          } catch {
            valid = false;
          }
          expect(syntaxErrorOffset(changed) === null, changed).to.equal(valid);
          checked++;
        }
      }
    }
    expect(checked).to.be.above(1000);
  });
});
