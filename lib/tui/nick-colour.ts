/** The nick colours of lib/client/presentation.ts, for the full-screen client's modules. */
export { NICK_PALETTE, nickColour, nickHash } from '../client/presentation.js';
