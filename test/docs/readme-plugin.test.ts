/**
 * The plugin example in README.md is copied by users: it must work as printed.
 * This test takes it out of the README, drops it into a plugins folder with the
 * README's config, and checks the webhook receives the room.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { REPO_ROOT, fixture, startTestService, tempDir, waitFor } from '../helpers/service';

function readmeBlock(afterHeading: string, lang: string, index = 0): string {
  const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf(afterHeading));
  const blocks = [...section.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]);
  return blocks[index];
}

describe('README: the plugin example', () => {
  it('runs as printed and posts closed rooms to the webhook', async () => {
    const received: Array<{ body: any; key: string | undefined }> = [];
    const webhook = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push({ body: JSON.parse(body), key: req.headers['idempotency-key'] as string | undefined });
        res.end('ok');
      });
    });
    await new Promise<void>((r) => webhook.listen(0, '127.0.0.1', r));
    const pluginsDir = tempDir('livehook-plugins-');
    fs.mkdirSync(path.join(pluginsDir, 'room-webhook'));
    fs.writeFileSync(path.join(pluginsDir, 'room-webhook', 'index.ts'), readmeBlock('## Writing a plugin', 'ts'));
    const config = JSON.parse(readmeBlock('## Writing a plugin', 'json'));
    config.url = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/hooks/abc`;
    const svc = await startTestService({ pluginsDir, plugins: { 'room-webhook': config } });
    try {
      expect((await svc.post(fixture('destroy-room.seed-example.json'), { SdkAppid: '1400000001' })).status).to.equal(200);
      expect((await svc.post(fixture('create-room.json'), { SdkAppid: '1400000001' })).status).to.equal(200);
      await waitFor(() => received.length === 1, 5000, 'the webhook call');
      await svc.waitForIdle();
      expect(received).to.have.length(1);
      expect(received[0].body.text).to.equal('room tandy-test-rest closed (DestroyByUser), viewers: 0');
      expect(received[0].key).to.be.a('string').with.length.greaterThan(10);
    } finally {
      await svc.stop();
      webhook.close();
    }
  });
});
