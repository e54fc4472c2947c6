/** A day with one room reads "1 room", not "1 rooms": in the page, its chart and the command's line. */
import { expect } from 'chai';
import { destroyRoom, removeDir, startRollup } from './harness';

describe('stats-rollup: counts read as English', function () {
  this.timeout(30_000);

  it('"1 room closed" and "Top 1 room" for a day with one room; "2 rooms" for two', async () => {
    const rollup = await startRollup({ timezone: 'UTC' });
    try {
      await rollup.deliver(destroyRoom(Date.parse('2025-09-04T10:15:00Z'), { roomId: 'only' }));
      expect(await rollup.build('2025-09-04')).to.match(/^2025-09-04: 1 room closed \(0 without statistics\)/);
      const html = rollup.html('2025-09-04')!;
      expect(html).to.contain('Top 1 room by viewers').and.contain('Top 1 room by gift coins');
      expect(html).to.match(/10:00–11:00: 1 room closed \(/);
      expect(html).not.to.match(/\b1 rooms\b/);

      await rollup.deliver(destroyRoom(Date.parse('2025-09-04T10:45:00Z'), { roomId: 'second' }));
      expect(await rollup.build('2025-09-04')).to.match(/^2025-09-04: 2 rooms closed/);
      expect(rollup.html('2025-09-04')).to.contain('Top 2 rooms by viewers').and.to.match(/10:00–11:00: 2 rooms closed \(/);
    } finally {
      await rollup.close();
      removeDir(rollup.dataDir);
    }
  });
});
