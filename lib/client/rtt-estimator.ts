/**
 * Round-trip time and retransmission timeout (docs/protocol.md §6.2.3–§6.2.4; RFC 6298):
 * RTO = max(min, SRTT + 4·RTTVAR), initial 250 ms; backoff doubles, capped at max(1 s, 2·SRTT) and never above 8 s.
 */
import { DEFAULTS } from '../protocol/constants.js';

/** No retransmission waits longer than this, whatever the RTT estimate says. */
const MAX_BACKOFF_MS = 8_000;

export class RttEstimator {
  srtt: number | undefined;
  private rttvar = 0;
  private provisional = false;

  /**
   * Takes a round-trip sample. A `provisional` one (the join handshake, often stretched by the
   * program still starting up) is used until the first ordinary sample replaces it outright.
   */
  sample(rttMs: number, provisional = false): void {
    const r = Math.max(0, rttMs);
    if (this.srtt === undefined || (this.provisional && !provisional)) {
      this.provisional = provisional;
      this.srtt = r;
      this.rttvar = r / 2;
    } else {
      this.rttvar = 0.75 * this.rttvar + 0.25 * Math.abs(this.srtt - r);
      this.srtt = 0.875 * this.srtt + 0.125 * r;
    }
  }

  get rto(): number {
    if (this.srtt === undefined) return DEFAULTS.initialRtoMs;
    return Math.min(this.maxRto, Math.max(DEFAULTS.minRtoMs, this.srtt + 4 * this.rttvar));
  }

  /** Largest timeout a backed-off retransmission waits. */
  get maxRto(): number {
    return Math.min(MAX_BACKOFF_MS, Math.max(DEFAULTS.maxRtoMs, 2 * (this.srtt ?? 0)));
  }
}
