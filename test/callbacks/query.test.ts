import { expect } from 'chai';
import { normalizeQuery, queryValue } from '../../src/callbacks/query';

describe('callback query', () => {
  it('keeps keys as sent, one string each', () => {
    const query = normalizeQuery({ SdkAppId: '1400', OptPlatform: ['iOs', 'Web'], ClientIP: '0.0.0.0', Sign: undefined, Empty: [] });
    expect(query).to.deep.equal({ SdkAppId: '1400', OptPlatform: 'iOs', ClientIP: '0.0.0.0' });
  });

  it('finds SdkAppid whatever the case Tencent used', () => {
    for (const key of ['SdkAppid', 'SdkAppId', 'sdkappid', 'SDKAPPID']) {
      expect(queryValue({ [key]: '1400000001' }, 'SdkAppid'), key).to.equal('1400000001');
    }
  });

  it('prefers the exact spelling and answers undefined when absent', () => {
    expect(queryValue({ sdkappid: 'lower', SdkAppid: 'exact' }, 'SdkAppid')).to.equal('exact');
    expect(queryValue({ RequestTime: '1' }, 'Sign')).to.equal(undefined);
  });
});
