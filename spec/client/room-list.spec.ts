import { expect } from 'chai';
import { RoomList } from '../../lib/client/room-list.js';
import type { RoomInfoMessage } from '../../lib/protocol/messages.js';

const RTO = 200;
const line = (index: number, total: number, name: string): RoomInfoMessage => ({
  type: 'roominfo',
  token: Buffer.alloc(16),
  roomId: 0,
  kind: 'listing',
  members: index + 1,
  lastSeq: 0,
  historyFrom: 1,
  index,
  total,
  name,
  topic: '',
});

describe('RoomList', () => {
  describe('#line', () => {
    it('gives the whole list, in list order, once every line is there, and ignores lines nobody asked for', () => {
      const list = new RoomList();
      expect(list.line(line(0, 2, '#a'))).to.equal(undefined);
      list.start();
      expect(list.line(line(1, 2, '#b'))).to.equal(undefined);
      expect(list.line(line(0, 2, '#a'))).to.deep.equal([
        { name: '#a', members: 1, topic: '' },
        { name: '#b', members: 2, topic: '' },
      ]);
      expect(list.line(line(0, 2, '#a')), 'a late duplicate').to.equal(undefined);
    });

    it('starts over when a line says the list has another length', () => {
      const list = new RoomList();
      list.start();
      list.line(line(0, 3, '#old'));
      expect(list.line(line(0, 1, '#new'))).to.deep.equal([{ name: '#new', members: 1, topic: '' }]);
    });
  });

  describe('#due', () => {
    it('waits for the request to be acknowledged, asks twice more 2 RTOs apart, then gives what came', () => {
      const list = new RoomList();
      list.start();
      list.line(line(0, 2, '#a'));
      expect(list.due(0, () => true, RTO), 'not acknowledged yet').to.equal(undefined);
      expect(list.nextDeadline(0)).to.equal(100);
      expect(list.due(100, () => false, RTO)).to.equal(undefined);
      expect(list.nextDeadline(100)).to.equal(100 + 2 * RTO);
      expect(list.due(100 + 2 * RTO - 1, () => false, RTO)).to.equal(undefined);
      expect(list.due(100 + 2 * RTO, () => false, RTO)).to.equal('ask');
      list.due(600, () => false, RTO);
      expect(list.due(600 + 2 * RTO, () => false, RTO)).to.equal('ask');
      list.due(1100, () => false, RTO);
      expect(list.due(1100 + 2 * RTO, () => false, RTO)).to.deep.equal([{ name: '#a', members: 1, topic: '' }]);
      expect(list.nextDeadline(2000)).to.equal(Infinity);
      expect(list.due(5000, () => false, RTO)).to.equal(undefined);
    });
  });
});
