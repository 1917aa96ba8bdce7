/**
 * Preloaded into the docs' client snippets on Node versions without a global WebSocket (before 22),
 * the way the docs tell Node users to pass `ws`; browsers and Node 22+ have one.
 */
import WebSocket from 'ws';

if (typeof globalThis.WebSocket === 'undefined') {
  (globalThis as { WebSocket?: unknown }).WebSocket = WebSocket;
}
