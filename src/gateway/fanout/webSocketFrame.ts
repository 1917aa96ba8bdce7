/**
 * WebSocket framing of what the gateway writes itself (RFC 6455 section 5.2): a final, unmasked text
 * frame, as a server sends it without extensions. A frame rendered once can then be written as is
 * to every socket that shares it.
 */

/** One text frame carrying the concatenation of `parts` (UTF-8 JSON). */
export function encodeTextFrame(parts: Buffer[]): Buffer {
  let length = 0;
  for (const part of parts) length += part.length;
  const headerLength = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + length);
  // FIN and opcode 1 (text); the mask bit stays clear (server to client).
  frame[0] = 0x81;
  if (headerLength === 2) {
    frame[1] = length;
  } else if (headerLength === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  let offset = headerLength;
  for (const part of parts) offset += part.copy(frame, offset);
  return frame;
}

/** The payload of a frame made by {@link encodeTextFrame} (shares its memory). */
export function textFramePayload(frame: Buffer): Buffer {
  const marker = frame[1]! & 0x7f;
  return frame.subarray(marker < 126 ? 2 : marker === 126 ? 4 : 10);
}
