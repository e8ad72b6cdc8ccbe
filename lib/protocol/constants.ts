/**
 * Wire constants and protocol defaults (docs/protocol.md §2, §8).
 * Everything here is part of the contract: change it only together with the doc.
 */

/** First two bytes of every datagram: ASCII "UC". */
export const MAGIC_0 = 0x55;
export const MAGIC_1 = 0x43;
/** Protocol version carried in byte 2. */
export const VERSION = 1;
/** Bytes before the type-specific body: magic (2), version (1), type (1). */
export const HEADER_BYTES = 4;
/** Every datagram ends with a CRC-32 (IEEE, as zlib computes it) of all the bytes before it. */
export const CHECKSUM_BYTES = 4;

/** Largest datagram either side may send or accept (QUIC's minimum path size). */
export const MAX_DATAGRAM = 1200;
/** Largest chat text, in UTF-8 bytes. Longer input is split by the client (§5.4). */
export const MAX_TEXT_BYTES = 1000;
/** Largest nickname, in UTF-8 bytes after normalisation. */
export const MAX_NICK_BYTES = 64;
/** Largest nickname, in user-perceived characters (grapheme clusters). */
export const MAX_NICK_CHARS = 24;
/** Largest `detail` string in an ERROR. */
export const MAX_DETAIL_BYTES = 200;

export const TOKEN_BYTES = 16;
export const CLIENT_ID_BYTES = 16;
export const COOKIE_BYTES = 16;
export const INSTANCE_BYTES = 8;
/** Random bytes a DISCOVER carries and its OFFERs echo. */
export const NONCE_BYTES = 16;
/** Size of every DISCOVER: larger than the largest OFFER, so discovery never amplifies (§5.5). */
export const DISCOVER_BYTES = 128;
/** Largest server name in an OFFER, UTF-8 bytes (one DNS label, as in its mDNS instance name). */
export const MAX_SERVER_NAME_BYTES = 63;
/** Most entries one DATA datagram may carry (the count is a u8). */
export const MAX_ENTRIES = 255;

/** Protocol timers and limits (milliseconds unless stated). Servers announce theirs in WELCOME. */
export const DEFAULTS = {
  heartbeatMs: 5_000,
  idleTimeoutMs: 30_000,
  cookieBucketMs: 10_000,
  initialRtoMs: 250,
  minRtoMs: 25,
  maxRtoMs: 1_000,
  /** Delay before a detected gap is NACKed, to let reordered datagrams arrive first. */
  nackDelayMs: 30,
  /** Quiet time after the last fan-out before the server sends a SYNC to every member (and again 4× later). */
  tailSyncMs: 200,
  /** After delivering room entries, the client pings within this long (then every heartbeat). */
  activityPingMs: 1_000,
  historyMessages: 50,
  /** Room log entries the server keeps for gap repair and resumes. */
  logEntries: 8_192,
  maxPeers: 256,
  sessionsPerIp: 32,
  /** Client → server messages in flight (sent, not yet acknowledged). */
  sendWindow: 32,
  /** Flood limit: sustained messages per second and burst, per peer. */
  rate: 10,
  burst: 20,
  /** Hard limit on datagrams of any kind per second, per peer, past which it is cut off. */
  hardRate: 2_000,
  hardBurst: 4_000,
} as const;

/** Default UDP port of `udp-chat serve` and `udp-chat join`. */
export const DEFAULT_PORT = 7777;
