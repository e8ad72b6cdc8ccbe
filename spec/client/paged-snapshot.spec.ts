import { expect } from 'chai';
import { PagedSnapshot, type SnapshotPage } from '../../lib/client/paged-snapshot.js';

/** A collector over a plain set of names, recording the snapshots it took. */
class Names extends PagedSnapshot<string, string> {
  readonly members = new Set<string>();
  readonly replaced: string[][] = [];

  page(p: SnapshotPage<string>): boolean {
    return this.takePage(p);
  }

  protected override replace(items: string[]): void {
    this.replaced.push(items);
    this.members.clear();
    for (const x of items) this.members.add(x);
  }

  /** '+nick' joins, '-nick' leaves; a leave of somebody absent changes nothing. */
  protected override apply(change: string): boolean {
    const nick = change.slice(1);
    if (change.startsWith('-')) return this.members.delete(nick);
    this.members.add(nick);
    return true;
  }
}

function collector(): { snapshot: Names; members: Set<string>; replaced: string[][] } {
  const snapshot = new Names();
  return { snapshot, members: snapshot.members, replaced: snapshot.replaced };
}

const page = (asOfSeq: number, p: number, pages: number, items: string[]) => ({ asOfSeq, page: p, pages, items });

describe('PagedSnapshot', () => {
  describe('#page', () => {
    it('replaces the members once every page is there, with every page\'s items', () => {
      const { snapshot, replaced } = collector();
      expect(snapshot.page(page(4, 1, 2, ['b']))).to.equal(false);
      expect(snapshot.ready).to.equal(false);
      expect(replaced).to.deep.equal([]);
      expect(snapshot.page(page(4, 0, 2, ['a']))).to.equal(true);
      expect(snapshot.ready).to.equal(true);
      expect(replaced).to.deep.equal([['b', 'a']]);
    });

    it('says the first missing page, and 0 when none is being collected', () => {
      const { snapshot } = collector();
      expect(snapshot.missingPage()).to.equal(0);
      snapshot.page(page(4, 0, 3, ['a']));
      snapshot.page(page(4, 2, 3, ['c']));
      expect(snapshot.missingPage()).to.equal(1);
    });

    it('takes no snapshot that is not newer than the one held until a new one is asked for (startSnapshot)', () => {
      const { snapshot, replaced } = collector();
      snapshot.page(page(9, 0, 1, ['a']));
      expect(snapshot.page(page(9, 0, 1, ['again']))).to.equal(false);
      snapshot.startSnapshot();
      expect(snapshot.page(page(9, 0, 1, ['asked']))).to.equal(true);
      expect(replaced).to.deep.equal([['a'], ['asked']]);
    });

    it('ignores a page older than the snapshot being collected, or with another page count', () => {
      const { snapshot, replaced } = collector();
      snapshot.page(page(7, 0, 2, ['a']));
      expect(snapshot.page(page(6, 1, 2, ['stale']))).to.equal(false);
      expect(snapshot.page(page(7, 1, 3, ['other count']))).to.equal(false);
      expect(snapshot.page(page(7, 1, 2, ['b']))).to.equal(true);
      expect(replaced).to.deep.equal([['a', 'b']]);
    });
  });

  describe('#change', () => {
    it('holds changes until a snapshot is complete, then applies only those past it', () => {
      const { snapshot, members } = collector();
      expect(snapshot.change(3, '+early')).to.equal(false);
      expect(snapshot.change(6, '+late')).to.equal(false);
      snapshot.page(page(5, 0, 1, ['a']));
      expect([...members]).to.deep.equal(['a', 'late']);
    });

    it('applies a change past the snapshot at once and reports whether the members changed', () => {
      const { snapshot, members } = collector();
      snapshot.page(page(5, 0, 1, ['a']));
      expect(snapshot.change(5, '-a')).to.equal(false);
      expect(snapshot.change(6, '-nobody')).to.equal(false);
      expect(snapshot.change(7, '-a')).to.equal(true);
      expect([...members]).to.deep.equal([]);
    });

    it('holds changes again while a new snapshot is collected (startSnapshot)', () => {
      const { snapshot, members } = collector();
      snapshot.page(page(5, 0, 1, ['a']));
      snapshot.startSnapshot();
      expect(snapshot.change(8, '+b')).to.equal(false);
      expect([...members]).to.deep.equal(['a']);
      snapshot.page(page(7, 0, 1, ['a', 'c']));
      expect([...members]).to.deep.equal(['a', 'c', 'b']);
    });
  });

  describe('#forget', () => {
    it('takes a snapshot with lower seqs afterwards and drops the held changes', () => {
      const { snapshot, members } = collector();
      snapshot.page(page(300, 0, 1, ['a']));
      snapshot.startSnapshot();
      snapshot.change(301, '+held');
      snapshot.forget();
      expect(snapshot.ready).to.equal(false);
      expect([...members]).to.deep.equal([]);
      expect(snapshot.page(page(2, 0, 1, ['fresh']))).to.equal(true);
      expect([...members]).to.deep.equal(['fresh']);
    });
  });
});
