/**
 * The sealed-session test vectors of docs/protocol.md §10 ("Sealed sessions: test vectors"),
 * computed with the code from the document's inputs: the envelope encoders, the Noise handshake,
 * the session and room channels. sealed-vectors.spec.ts checks the document against this;
 * `node --import=tsx spec/protocol/seal/sealed-vectors.ts` prints the section's blocks afresh
 * (from the inputs below and the §10 examples they wrap).
 */
import { pathToFileURL } from 'node:url';
import { encodeCookie, encodeHandshake1, encodeHandshake2, encodeHello, envelopeHeader } from '../../../lib/protocol/seal/envelope.js';
import { HandshakeState } from '../../../lib/protocol/seal/handshake.js';
import { x25519KeyPair } from '../../../lib/protocol/seal/primitives.js';
import { derivePsk, NO_PASSPHRASE_PSK } from '../../../lib/protocol/seal/psk.js';
import { RoomSealer, ed25519PublicKey } from '../../../lib/protocol/seal/room-channel.js';
import { SEAL_PATTERN, SEAL_PROLOGUE, encodeAdmission } from '../../../lib/protocol/seal/sealed-join.js';
import { Sealer } from '../../../lib/protocol/seal/session-channel.js';
import { loadDocFixtures } from '../doc-fixtures.js';

/** Every input of the vectors: keys as hex, numbers, and the §10 examples sealed inside. */
export interface SealedInputs {
  serverStatic: string;
  serverEphemeral: string;
  serverSigningSeed: string;
  clientStatic: string;
  clientEphemeral: string;
  passphrase: string;
  clientId: string;
  cookie: string;
  sessionIndex: number;
  roomKeyId: number;
  roomKey: string;
  /** §10 examples: the JOIN in message 1, the WELCOME in message 2, and the SESSION and ROOM plaintexts. */
  join: string;
  welcome: string;
  toServer: string;
  toServerCounter: number;
  toClient: string;
  toClientCounter: number;
  room: string;
  roomCounter: number;
}

/** 32 bytes counting up from `first`. */
function run(first: number): string {
  return Buffer.from(Array.from({ length: 32 }, (_, i) => first + i)).toString('hex');
}

export const SEALED_INPUTS: SealedInputs = {
  serverStatic: run(0x00),
  serverEphemeral: run(0x20),
  clientStatic: run(0x40),
  clientEphemeral: run(0x60),
  serverSigningSeed: run(0x80),
  roomKey: run(0xa0),
  passphrase: 'correct horse battery staple',
  clientId: '3a7f1c9e5b2d4f608e1a2b3c4d5e6f70',
  cookie: '9d4e2f7a1b3c5d6e8f90a1b2c3d4e5f6',
  sessionIndex: 0x01020304,
  roomKeyId: 1,
  join: 'join-cookie',
  welcome: 'welcome',
  toServer: 'say',
  toServerCounter: 258,
  toClient: 'ack',
  toClientCounter: 0,
  room: 'data-one-msg',
  roomCounter: 258,
};

/** A datagram as labelled fields, in order. */
export type Fields = Array<[label: string, bytes: Buffer]>;

export interface SealedVectors {
  derived: Record<string, string>;
  datagrams: Map<string, { bytes: Buffer; fields: Fields; about: string }>;
}

const hex = (s: string): Buffer => Buffer.from(s, 'hex');

/** Splits a datagram into fields of the given lengths (the last takes the rest). */
function split(bytes: Buffer, parts: Array<[string, number]>): Fields {
  const out: Fields = [];
  let at = 0;
  parts.forEach(([label, n], i) => {
    const end = i === parts.length - 1 ? bytes.length : at + n;
    out.push([label, bytes.subarray(at, end)]);
    at = end;
  });
  return out;
}

/** The vectors for `inputs`, the §10 examples read from the document. */
export async function computeSealedVectors(inputs: SealedInputs): Promise<SealedVectors> {
  const examples = new Map(loadDocFixtures().examples.map((e) => [e.name, e.bytes]));
  const example = (name: string): Buffer => {
    const bytes = examples.get(name);
    if (bytes === undefined) throw new Error(`docs/protocol.md §10 has no Example: ${name}`);
    return bytes;
  };
  const serverStatic = x25519KeyPair(hex(inputs.serverStatic));
  const clientStatic = x25519KeyPair(hex(inputs.clientStatic));
  const signingKey = ed25519PublicKey(hex(inputs.serverSigningSeed));
  const clientId = hex(inputs.clientId);
  const cookie = hex(inputs.cookie);
  const passphrasePsk = await derivePsk(inputs.passphrase, serverStatic.publicKey);
  const join = example(inputs.join);
  const welcome = example(inputs.welcome);
  const admission = encodeAdmission({ keyId: inputs.roomKeyId, roomKey: hex(inputs.roomKey), signingKey }, welcome);

  const handshake = (psk: Buffer) => {
    const initiator = new HandshakeState({
      pattern: SEAL_PATTERN,
      role: 'initiator',
      prologue: SEAL_PROLOGUE,
      staticPrivateKey: hex(inputs.clientStatic),
      ephemeralPrivateKey: hex(inputs.clientEphemeral),
      remoteStaticPublicKey: serverStatic.publicKey,
      psk,
    });
    const responder = new HandshakeState({
      pattern: SEAL_PATTERN,
      role: 'responder',
      prologue: SEAL_PROLOGUE,
      staticPrivateKey: hex(inputs.serverStatic),
      ephemeralPrivateKey: hex(inputs.serverEphemeral),
      psk,
    });
    const message1 = initiator.writeMessage(join);
    if (responder.readMessage(message1) === undefined) throw new Error('the responder refused message 1');
    const message2 = responder.writeMessage(admission);
    if (initiator.readMessage(message2) === undefined) throw new Error('the initiator refused message 2');
    return {
      handshake1: encodeHandshake1(clientId, cookie, message1),
      handshake2: encodeHandshake2(inputs.sessionIndex, message2),
      client: initiator.result(),
    };
  };
  const plain = handshake(NO_PASSPHRASE_PSK);
  const secret = handshake(passphrasePsk);

  const toServer = new Sealer(plain.client.sendKey);
  for (let i = 0; i < inputs.toServerCounter; i++) toServer.seal(Buffer.alloc(9), Buffer.alloc(0));
  const session = toServer.seal(envelopeHeader('toServer', 'session', inputs.sessionIndex), example(inputs.toServer));
  const toClient = new Sealer(plain.client.receiveKey);
  for (let i = 0; i < inputs.toClientCounter; i++) toClient.seal(Buffer.alloc(9), Buffer.alloc(0));
  const sessionBack = toClient.seal(envelopeHeader('toClient', 'session', inputs.sessionIndex), example(inputs.toClient));
  const roomSealer = new RoomSealer(hex(inputs.roomKey), hex(inputs.serverSigningSeed));
  for (let i = 0; i < inputs.roomCounter; i++) roomSealer.seal(Buffer.alloc(9), Buffer.alloc(0));
  const room = roomSealer.seal(envelopeHeader('toClient', 'room', inputs.roomKeyId), example(inputs.room));

  const head = (type: string, kind: string, index = 'index: 0'): Array<[string, number]> => [
    [`magic "UC", version 1, type ${type}`, 4],
    [`kind ${kind}`, 1],
    [index, 4],
  ];
  const TO_SERVER = '0x7F SEALED (client → server)';
  const TO_CLIENT = '0xFF SEALED (server → client)';
  const hs1 = (bytes: Buffer): Fields =>
    split(bytes, [...head(TO_SERVER, '3 HANDSHAKE1'), ['clientId', 16], ['cookie', 16], ["Noise message 1: the client's ephemeral public key e", 32], ["its static public key, encrypted (32 + tag 16)", 48], [`the JOIN (Example: ${inputs.join}), encrypted, and its tag`, join.length + 16], ['CRC-32 of the bytes above', 4]]);
  const hs2 = (bytes: Buffer): Fields =>
    split(bytes, [...head(TO_CLIENT, '4 HANDSHAKE2', `index: the session index (0x${inputs.sessionIndex.toString(16).padStart(8, '0')})`), ["Noise message 2: the server's ephemeral public key e", 32], [`the admission (${admission.length} bytes: 01, key id, room key, Ed25519 key, the WELCOME of Example: ${inputs.welcome}), encrypted, and its tag`, admission.length + 16], ['CRC-32 of the bytes above', 4]]);
  const sealed = (bytes: Buffer, type: string, kind: string, index: string, what: string, inner: number, signature: boolean): Fields =>
    split(bytes, [...head(type, kind, index), ['counter u64', 8], [`${what}, encrypted`, inner], ['tag', 16], ...(signature ? ([['Ed25519 signature of every byte above', 64]] as Array<[string, number]>) : [])]);

  const datagrams = new Map<string, { bytes: Buffer; fields: Fields; about: string }>();
  const add = (name: string, bytes: Buffer, fields: Fields, about: string): void => {
    datagrams.set(name, { bytes, fields, about });
  };
  const hello = encodeHello(clientId);
  add('hello', hello, split(hello, [...head(TO_SERVER, '1 HELLO'), ['clientId', 16], ['zero padding to 80 bytes', 51], ['CRC-32 of the bytes above', 4]]), 'HELLO (kind 1): the clientId, padded. 80 bytes.');
  const cookieReply = encodeCookie(clientId, cookie, serverStatic.publicKey);
  add('cookie', cookieReply, split(cookieReply, [...head(TO_CLIENT, '2 COOKIE'), ['clientId', 16], ['cookie', 16], ["the server's X25519 static public key", 32], ['CRC-32 of the bytes above', 4]]), 'COOKIE (kind 2). 77 bytes.');
  add('handshake1', plain.handshake1, hs1(plain.handshake1), `HANDSHAKE1 (kind 3), psk = 32 zero bytes (no passphrase). ${plain.handshake1.length} bytes.`);
  add('handshake2', plain.handshake2, hs2(plain.handshake2), `HANDSHAKE2 (kind 4) answering it: the admission. ${plain.handshake2.length} bytes.`);
  add('handshake1-passphrase', secret.handshake1, hs1(secret.handshake1), `The same HANDSHAKE1 with the passphrase's psk: only the encrypted JOIN and its tag (and the CRC) differ. ${secret.handshake1.length} bytes.`);
  add('handshake2-passphrase', secret.handshake2, hs2(secret.handshake2), `HANDSHAKE2 answering it. ${secret.handshake2.length} bytes.`);
  add('session-to-server', session, sealed(session, TO_SERVER, '5 SESSION', `index: the session index (0x${inputs.sessionIndex.toString(16).padStart(8, '0')})`, `the SAY of Example: ${inputs.toServer}`, example(inputs.toServer).length, false), `SESSION (kind 5), client → server, counter ${inputs.toServerCounter}, after the handshake without a passphrase. ${session.length} bytes.`);
  add('session-to-client', sessionBack, sealed(sessionBack, TO_CLIENT, '5 SESSION', `index: the session index (0x${inputs.sessionIndex.toString(16).padStart(8, '0')})`, `the ACK of Example: ${inputs.toClient}`, example(inputs.toClient).length, false), `SESSION (kind 5), server → client, counter ${inputs.toClientCounter}. ${sessionBack.length} bytes.`);
  add('room', room, sealed(room, TO_CLIENT, '6 ROOM', `index: the room key id (${inputs.roomKeyId})`, `the DATA of Example: ${inputs.room}`, example(inputs.room).length, true), `ROOM (kind 6), room key id ${inputs.roomKeyId}, counter ${inputs.roomCounter}. ${room.length} bytes.`);

  const derived: Record<string, string> = {
    serverStaticPublic: serverStatic.publicKey.toString('hex'),
    serverSigningPublic: signingKey.toString('hex'),
    clientStaticPublic: clientStatic.publicKey.toString('hex'),
    passphrasePsk: passphrasePsk.toString('hex'),
    handshakeHash: plain.client.handshakeHash.toString('hex'),
    keyToServer: plain.client.sendKey.toString('hex'),
    keyToClient: plain.client.receiveKey.toString('hex'),
    passphraseHandshakeHash: secret.client.handshakeHash.toString('hex'),
    passphraseKeyToServer: secret.client.sendKey.toString('hex'),
    passphraseKeyToClient: secret.client.receiveKey.toString('hex'),
  };
  return { derived, datagrams };
}

/** A hex block: each field on its own lines (16 bytes a line), labelled on its first line. */
export function hexBlock(fields: Fields): string {
  const lines: string[] = [];
  for (const [label, bytes] of fields) {
    for (let at = 0; at < bytes.length; at += 16) {
      const chunk = [...bytes.subarray(at, at + 16)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
      lines.push(at === 0 ? `${chunk.padEnd(48)} # ${label}` : chunk);
    }
  }
  return lines.join('\n');
}

/** The json and hex blocks under each `### Sealed: <name>` heading of a markdown document. */
export function sealedSections(markdown: string): Map<string, { json?: string; hex?: string }> {
  const out = new Map<string, { json?: string; hex?: string }>();
  let current: { json?: string; hex?: string } | undefined;
  let fence: { lang: string; body: string[] } | undefined;
  for (const text of markdown.split(/\r?\n/)) {
    if (fence !== undefined) {
      if (/^```\s*$/.test(text)) {
        if (current !== undefined && (fence.lang === 'json' || fence.lang === 'hex')) current[fence.lang] ??= fence.body.join('\n');
        fence = undefined;
      } else fence.body.push(text);
      continue;
    }
    const open = /^```\s*(\S*)\s*$/.exec(text);
    if (open !== null) {
      fence = { lang: open[1] ?? '', body: [] };
      continue;
    }
    if (!/^#{1,6}\s/.test(text)) continue;
    const m = /^###\s+Sealed:\s+(\S+)\s*$/.exec(text);
    current = m === null ? undefined : {};
    if (m !== null) {
      if (out.has(m[1] as string)) throw new Error(`docs/protocol.md: duplicate Sealed: ${m[1]}`);
      out.set(m[1] as string, current as { json?: string; hex?: string });
    }
  }
  return out;
}

/** The markdown of the vectors' blocks (printed, to paste into §10). */
export async function vectorsMarkdown(inputs: SealedInputs = SEALED_INPUTS): Promise<string> {
  const v = await computeSealedVectors(inputs);
  const out: string[] = ['### Sealed: inputs', '', '```json', JSON.stringify(inputs, null, 2), '```', '', '### Sealed: derived', '', '```json', JSON.stringify(v.derived, null, 2), '```', ''];
  for (const [name, d] of v.datagrams) out.push(`### Sealed: ${name}`, '', d.about, '', '```hex', hexBlock(d.fields), '```', '');
  return out.join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.stdout.write(await vectorsMarkdown());
}
