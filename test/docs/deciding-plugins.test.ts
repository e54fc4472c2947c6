/**
 * The deciding plugin in docs/deciding-plugins.md is copied by users: it must
 * work as printed, with the config printed beside it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { REPO_ROOT, startTestService, tempDir } from '../helpers/service';
import { gift } from '../decide/decider-plugin';

function docBlock(lang: string): string {
  const doc = fs.readFileSync(path.join(REPO_ROOT, 'docs', 'deciding-plugins.md'), 'utf8');
  return [...doc.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))][0][1];
}

describe('docs/deciding-plugins.md: the example decider', () => {
  it('runs as printed: refuses gifts in the listed room with its app code and text, lets others through', async () => {
    const pluginsDir = tempDir('livehook-plugins-');
    fs.mkdirSync(path.join(pluginsDir, 'closed-rooms'));
    fs.writeFileSync(path.join(pluginsDir, 'closed-rooms', 'index.ts'), docBlock('ts'));
    const svc = await startTestService({ pluginsDir, plugins: { 'closed-rooms': JSON.parse(docBlock('json')) } });
    try {
      const query = { SdkAppid: '1400000001' };
      const refused = await svc.post(gift({ room: 'room_id', time: 1_764_000_000 }), query);
      expect(refused.body).to.deep.equal({ ActionStatus: 'OK', ErrorInfo: 'This room takes no gifts.', ErrorCode: 102150 });
      const allowed = await svc.post(gift({ room: 'another-room', time: 1_764_000_001 }), query);
      expect(allowed.body).to.deep.equal({ ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 });
    } finally {
      await svc.stop();
    }
  });
});
