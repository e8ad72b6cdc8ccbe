/**
 * One announcement per outage, decided once for every front end. The core reports a lost session
 * as a `notice` with `lost: true` (only when the state shown was not already `reconnecting`), and
 * a server gone silent as `state: reconnecting`; an outage can bring both, in either order, and
 * repeated states. A front end shows the notice's text as it comes and asks `announce(e)` whether
 * a `state` event needs a line of its own ("reconnecting…").
 */
import type { ClientEvent } from './session-types.js';

export class OutageNotices {
  /** This outage has been told already. */
  private told = false;

  /** Feed every event; true when this one (a `state: reconnecting`) should be announced. */
  announce(e: ClientEvent): boolean {
    switch (e.type) {
      case 'notice':
        if (e.lost === true) this.told = true;
        return false;
      case 'joined':
        this.told = false;
        return false;
      case 'state':
        if (e.state === 'online') this.told = false;
        if (e.state !== 'reconnecting' || this.told) return false;
        this.told = true;
        return true;
      default:
        return false;
    }
  }
}
