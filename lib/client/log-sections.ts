/**
 * The sections of a stream's log, and the marker lines between them, decided once for both front
 * ends: entries replayed to a newcomer (`history`), entries caught up on after a rejoin (`missed`:
 * stored while this client was away, shown late with the times they were said at, so the clock
 * column runs back at the marker and the marker says why; docs/protocol.md §6.2.7), and `live`
 * ones. A section other than live is opened by a start marker before its first entry and closed
 * by an end marker before the next entry of another section in the same stream.
 */

export type Section = 'history' | 'missed' | 'live';

/** What the markers say (line mode: `-- TEXT --`, the full-screen log: `-------- TEXT --------`). */
export const SECTION_MARKERS = {
  history: { start: 'history', end: 'end of history' },
  missed: { start: 'missed while you were away', end: 'caught up' },
} as const;

export type Marker = { readonly section: Exclude<Section, 'live'>; readonly edge: 'start' | 'end' };

/** The section of an event with the core's `history` and `missed` flags. */
export function sectionOf(e: { readonly history: boolean; readonly missed?: true }): Section {
  if (e.history) return 'history';
  return e.missed === true ? 'missed' : 'live';
}

export class LogSections {
  /** The section open in each stream (absent: live). */
  private readonly open = new Map<number, Exclude<Section, 'live'>>();

  /** The markers to show before an entry of `section` in stream `roomId`, in order. */
  enter(roomId: number, section: Section): Marker[] {
    const was = this.open.get(roomId);
    if (was === section) return [];
    const markers: Marker[] = [];
    if (was !== undefined) markers.push({ section: was, edge: 'end' });
    if (section === 'live') this.open.delete(roomId);
    else {
      this.open.set(roomId, section);
      markers.push({ section, edge: 'start' });
    }
    return markers;
  }

  /** The stream's log was cleared or closed: its next entry opens its section again. */
  forget(roomId: number): void {
    this.open.delete(roomId);
  }
}
