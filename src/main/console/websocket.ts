// A small RFC 6455 WebSocket server endpoint over node:http's `upgrade` (no ws package is a declared
// dependency). Text frames, fragmentation, ping/pong and close; clients must mask (§5.1), the server
// never does. Frame parsing is pure (FrameParser) so it is tested without sockets.
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/** Largest message accepted; requests are small JSON documents. */
export const MAX_MESSAGE_BYTES = 1 << 20;

export const OP = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

export interface Frame {
  fin: boolean;
  opcode: number;
  payload: Buffer;
}

export function acceptKey(key: string): string {
  return createHash('sha1').update(key + GUID).digest('base64');
}

/** One server→client frame (never masked). */
export function encodeFrame(opcode: number, payload: Buffer, fin = true): Buffer {
  const len = payload.length;
  const head = len < 126 ? Buffer.alloc(2) : len < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
  head[0] = (fin ? 0x80 : 0) | opcode;
  if (len < 126) head[1] = len;
  else if (len < 65536) {
    head[1] = 126;
    head.writeUInt16BE(len, 2);
  } else {
    head[1] = 127;
    head.writeBigUInt64BE(BigInt(len), 2);
  }
  return Buffer.concat([head, payload]);
}

/** A client→server frame, masked as browsers send it (used by tests). */
export function encodeClientFrame(opcode: number, payload: Buffer, mask = Buffer.from([1, 2, 3, 4]), fin = true): Buffer {
  const plain = encodeFrame(opcode, payload, fin);
  const headLen = plain.length - payload.length;
  const head = Buffer.from(plain.subarray(0, headLen));
  head[1] = head[1]! | 0x80;
  const body = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!));
  return Buffer.concat([head, mask, body]);
}

export class ProtocolError extends Error {
  readonly closeCode: number;
  constructor(closeCode: number, message: string) {
    super(message);
    this.closeCode = closeCode;
  }
}

/** Accumulates bytes and yields complete frames; throws ProtocolError on a frame the RFC forbids. */
export class FrameParser {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const out: Frame[] = [];
    for (;;) {
      if (this.buf.length < 2) return out;
      const b0 = this.buf[0]!;
      const b1 = this.buf[1]!;
      if (b0 & 0x70) throw new ProtocolError(1002, 'reserved bits set without an extension');
      if (!(b1 & 0x80)) throw new ProtocolError(1002, 'client frames must be masked');
      let len = b1 & 0x7f;
      let off = 2;
      if (len === 126) {
        if (this.buf.length < 4) return out;
        len = this.buf.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        if (this.buf.length < 10) return out;
        const big = this.buf.readBigUInt64BE(2);
        if (big > BigInt(MAX_MESSAGE_BYTES)) throw new ProtocolError(1009, `frame of ${big} bytes exceeds ${MAX_MESSAGE_BYTES}`);
        len = Number(big);
        off = 10;
      }
      if (len > MAX_MESSAGE_BYTES) throw new ProtocolError(1009, `frame of ${len} bytes exceeds ${MAX_MESSAGE_BYTES}`);
      const opcode = b0 & 0x0f;
      if (opcode >= 0x8 && (len > 125 || !(b0 & 0x80))) throw new ProtocolError(1002, 'control frames must be short and unfragmented');
      if (this.buf.length < off + 4 + len) return out;
      const mask = this.buf.subarray(off, off + 4);
      const payload = Buffer.alloc(len);
      for (let i = 0; i < len; i++) payload[i] = this.buf[off + 4 + i]! ^ mask[i & 3]!;
      out.push({ fin: (b0 & 0x80) !== 0, opcode, payload });
      this.buf = this.buf.subarray(off + 4 + len);
    }
  }
}

export interface WsConnection {
  send(text: string): void;
  close(code?: number, reason?: string): void;
  readonly open: boolean;
}

export interface WsHandlers {
  onText(text: string): void;
  onClose(): void;
}

/** Completes the opening handshake (the caller has already checked origin and path). */
export function acceptWebSocket(req: IncomingMessage, socket: Duplex, make: (conn: WsConnection) => WsHandlers): WsConnection | undefined {
  const key = req.headers['sec-websocket-key'];
  if (typeof key !== 'string' || req.headers['sec-websocket-version'] !== '13' || !/websocket/i.test(req.headers.upgrade ?? '')) {
    socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    return undefined;
  }
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptKey(key)}\r\n\r\n`);
  let open = true;
  const conn: WsConnection = {
    get open() {
      return open;
    },
    send(text) {
      if (open) socket.write(encodeFrame(OP.text, Buffer.from(text, 'utf8')));
    },
    close(code = 1000, reason = '') {
      if (!open) return;
      open = false;
      const body = Buffer.alloc(2 + Buffer.byteLength(reason));
      body.writeUInt16BE(code, 0);
      body.write(reason, 2);
      socket.end(encodeFrame(OP.close, body));
    },
  };
  const handlers = make(conn);
  const parser = new FrameParser();
  let parts: Buffer[] = [];
  let partsLen = 0;
  let closed = false;
  const finish = () => {
    if (closed) return;
    closed = true;
    open = false;
    handlers.onClose();
  };
  socket.on('data', (chunk: Buffer) => {
    let frames: Frame[];
    try {
      frames = parser.push(chunk);
    } catch (e) {
      conn.close(e instanceof ProtocolError ? e.closeCode : 1002, (e as Error).message.slice(0, 100));
      return;
    }
    for (const f of frames) {
      if (f.opcode === OP.ping) socket.write(encodeFrame(OP.pong, f.payload));
      else if (f.opcode === OP.pong) continue;
      else if (f.opcode === OP.close) {
        conn.close(f.payload.length >= 2 ? f.payload.readUInt16BE(0) : 1000);
        finish();
        return;
      } else if (f.opcode === OP.binary) {
        conn.close(1003, 'text frames only');
        return;
      } else {
        parts.push(f.payload);
        partsLen += f.payload.length;
        if (partsLen > MAX_MESSAGE_BYTES) {
          conn.close(1009, 'message too big');
          return;
        }
        if (f.fin) {
          const text = Buffer.concat(parts).toString('utf8');
          parts = [];
          partsLen = 0;
          handlers.onText(text);
        }
      }
    }
  });
  // node:http sockets allow half-open connections: a client that goes away without a close frame
  // only sends FIN, and the socket would linger (and hold server.close()) unless we end it too.
  socket.on('end', () => {
    socket.end();
    finish();
  });
  socket.on('close', finish);
  socket.on('error', finish);
  return conn;
}
