import { DEFAULTS, MAX_DATAGRAM, MAX_TEXT_BYTES } from '../protocol/constants.js';
import { MAX_RSTATE_STREAMS } from '../protocol/rooms-codec.js';

/** Tunables of a server core; every field has the protocol default (docs/protocol.md §2). */
export interface ServerOptions {
  historyMessages: number;
  logEntries: number;
  maxPeers: number;
  sessionsPerIp: number;
  /** Flood limit: accepted messages per second and burst, per peer. */
  rate: number;
  burst: number;
  /** Hard limit: datagrams of any kind per second and burst, per peer. */
  hardRate: number;
  hardBurst: number;
  heartbeatMs: number;
  idleTimeoutMs: number;
  cookieBucketMs: number;
  tailSyncMs: number;
  maxText: number;
  /**
   * Largest datagram the core packs (DATA, RDATA, PAGE, ROSTER, RROSTER, RSTATE): 1200, or for a
   * sealed server 1200 less the larger envelope's overhead (envelope.ts MAX_SEALED_INNER, §5.8 "Sizes").
   */
  maxDatagram: number;
  /** Most unanswered-session replies per second (and burst), across all sources. */
  unknownSessionReplies: number;
  /** Most COOKIE replies per second (and burst), across all sources. */
  cookieReplies: number;
  /** A nick bound to a user key is refused to other keys until unused this long (§5.3). */
  nickReleaseMs: number;
  /** Enable rooms and private messages for clients that offer capability bit 0 (§6.3). */
  rooms: boolean;
  /** Most rooms on the server, #lobby not counted (`serve --max-rooms`). */
  maxRooms: number;
  /**
   * Most rooms one session may be in, #lobby not counted (`serve --max-rooms-per-user`); at most
   * roomsPerUserLimit(maxDatagram), else the server refuses to start (resolveServerOptions).
   */
  maxRoomsPerUser: number;
  /** Entries each room or private stream other than #lobby keeps for repair and history. */
  roomLogEntries: number;
}

export const DEFAULT_SERVER_OPTIONS: ServerOptions = {
  historyMessages: DEFAULTS.historyMessages,
  logEntries: DEFAULTS.logEntries,
  maxPeers: DEFAULTS.maxPeers,
  sessionsPerIp: DEFAULTS.sessionsPerIp,
  rate: DEFAULTS.rate,
  burst: DEFAULTS.burst,
  hardRate: DEFAULTS.hardRate,
  hardBurst: DEFAULTS.hardBurst,
  heartbeatMs: DEFAULTS.heartbeatMs,
  idleTimeoutMs: DEFAULTS.idleTimeoutMs,
  cookieBucketMs: DEFAULTS.cookieBucketMs,
  tailSyncMs: DEFAULTS.tailSyncMs,
  maxText: MAX_TEXT_BYTES,
  maxDatagram: MAX_DATAGRAM,
  unknownSessionReplies: 100,
  cookieReplies: 5_000,
  nickReleaseMs: 30 * 24 * 3600 * 1000,
  rooms: true,
  maxRooms: 256,
  maxRoomsPerUser: 32,
  roomLogEntries: 2_048,
};

/** Most private conversations a session may be in at once (§6.3). */
export const PRIVATE_PER_USER = 64;

/**
 * The most rooms a session may be in (#lobby not counted) with datagrams of `maxDatagram` bytes:
 * its RSTATE names every stream it is in (rooms and up to PRIVATE_PER_USER conversations), and a
 * stream RSTATE leaves out looks gone to the client (§6.3.4). 84 at 1200 bytes, 72 sealed (1103).
 */
export function roomsPerUserLimit(maxDatagram: number): number {
  return Math.min(MAX_RSTATE_STREAMS, Math.floor((maxDatagram - 9) / 8)) - PRIVATE_PER_USER;
}

/**
 * Throws a RangeError if a session in `maxRoomsPerUser` rooms could be in more streams than an
 * RSTATE of `maxDatagram` bytes names (roomsPerUserLimit). `name`: the option as the caller's
 * user spells it (`--max-rooms-per-user` for the CLI).
 */
export function checkRoomsPerUser(maxRoomsPerUser: number, maxDatagram: number, name = 'maxRoomsPerUser'): void {
  const limit = roomsPerUserLimit(maxDatagram);
  if (maxRoomsPerUser > limit) throw new RangeError(`${name} can be at most ${limit} (the list of a user's rooms and private conversations must fit one datagram)`);
}

/** The defaults with `given` over them. Throws a RangeError for options no server can honour (checkRoomsPerUser). */
export function resolveServerOptions(given: Partial<ServerOptions>): ServerOptions {
  const options = { ...DEFAULT_SERVER_OPTIONS, ...given };
  checkRoomsPerUser(options.maxRoomsPerUser, options.maxDatagram);
  return options;
}
