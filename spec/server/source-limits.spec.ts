import { expect } from 'chai';
import { KeyedBuckets, sourcePrefix } from '../../lib/server/source-limits.js';

describe('source limits', () => {
  it('names the /24 of an IPv4 address (mapped ones too) and the /64 of an IPv6 one', () => {
    expect(sourcePrefix('192.0.2.77')).to.equal('192.0.2.0/24');
    expect(sourcePrefix('::ffff:192.0.2.77')).to.equal('192.0.2.0/24');
    expect(sourcePrefix('2001:db8:1:2:3:4:5:6')).to.equal('2001:db8:1:2::/64');
    expect(sourcePrefix('2001:0DB8:0001:0002::9')).to.equal('2001:db8:1:2::/64');
    expect(sourcePrefix('2001:db8::1')).to.equal('2001:db8:0:0::/64');
    expect(sourcePrefix('fe80::1%eth0')).to.equal('fe80:0:0:0::/64');
    expect(sourcePrefix('::1')).to.equal('0:0:0:0::/64');
    expect(sourcePrefix('localhost')).to.equal('localhost');
  });

  it('keeps at most maxKeys buckets, forgetting the oldest (a full bucket again)', () => {
    const b = new KeyedBuckets(1, 1, 2);
    expect(b.take('a', 0)).to.equal(true);
    expect(b.take('a', 0)).to.equal(false);
    expect(b.waitSeconds('a', 0)).to.equal(1);
    b.take('b', 0);
    b.take('c', 0);
    expect(b.take('a', 0), 'forgotten').to.equal(true);
    expect(b.waitSeconds('zz', 0)).to.equal(0);
  });
});
