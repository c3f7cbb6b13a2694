import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { acceptKey, acceptWebSocket, encodeClientFrame, encodeFrame, FrameParser, MAX_MESSAGE_BYTES, OP, ProtocolError, type Frame, type WsConnection } from '../../../src/main/console/websocket.ts';

describe('FrameParser', () => {
  it('computes the RFC 6455 accept key (the example in §1.3)', () => {
    expect(acceptKey('dGhlIHNhbXBsZSBub25jZQ==')).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  });

  it('unmasks a masked client frame', () => {
    const f = new FrameParser().push(encodeClientFrame(OP.text, Buffer.from('Hello'), Buffer.from([0x37, 0xfa, 0x21, 0x3d])));
    expect(f).toEqual([{ fin: true, opcode: OP.text, payload: Buffer.from('Hello') }]);
  });

  it('refuses an unmasked client frame (§5.1)', () => {
    expect(() => new FrameParser().push(encodeFrame(OP.text, Buffer.from('Hello')))).toThrow(expect.objectContaining({ closeCode: 1002, message: 'client frames must be masked' }));
  });

  it('refuses reserved bits, long control frames and fragmented control frames', () => {
    const rsv = encodeClientFrame(OP.text, Buffer.from('x'));
    rsv[0] = rsv[0]! | 0x40;
    expect(() => new FrameParser().push(rsv)).toThrow('reserved bits set without an extension');
    expect(() => new FrameParser().push(encodeClientFrame(OP.ping, Buffer.alloc(126)))).toThrow('control frames must be short and unfragmented');
    expect(() => new FrameParser().push(encodeClientFrame(OP.close, Buffer.alloc(2), undefined, false))).toThrow('control frames must be short and unfragmented');
  });

  it('refuses a frame larger than the limit from its header alone, before the bytes arrive', () => {
    const head = Buffer.from([0x81, 0x80 | 127, 0, 0, 0, 0, 0, 0x20, 0, 0]); // 2 MiB declared
    expect(() => new FrameParser().push(head)).toThrow(expect.objectContaining({ closeCode: 1009 }));
    const head16 = Buffer.alloc(4);
    head16[0] = 0x81;
    head16[1] = 0x80 | 126;
    head16.writeUInt16BE(65535, 2);
    expect(new FrameParser().push(head16)).toEqual([]); // 64 KiB is allowed: waits for the rest
    expect(MAX_MESSAGE_BYTES).toBe(1 << 20);
  });

  it('reassembles frames split at any byte, with 7-, 16- and 64-bit lengths', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(OP.text, OP.binary, OP.ping), fc.oneof(fc.uint8Array({ maxLength: 130 }), fc.uint8Array({ minLength: 65536, maxLength: 65600 })), fc.uint8Array({ minLength: 4, maxLength: 4 })), { minLength: 1, maxLength: 4 }),
        fc.array(fc.integer({ min: 1, max: 70000 }), { minLength: 1, maxLength: 8 }),
        (frames, cuts) => {
          const valid = frames.filter(([op, p]) => op !== OP.ping || p.length <= 125);
          const wire = Buffer.concat(valid.map(([op, p, m]) => encodeClientFrame(op, Buffer.from(p), Buffer.from(m))));
          const parser = new FrameParser();
          const got: Frame[] = [];
          let at = 0;
          for (const c of [...cuts, wire.length]) {
            const end = Math.min(wire.length, at + c);
            got.push(...parser.push(wire.subarray(at, end)));
            at = end;
            if (at >= wire.length) break;
          }
          expect(got.map((f) => [f.opcode, Buffer.compare(f.payload, Buffer.from(valid[got.indexOf(f)]![1]))])).toEqual(valid.map(([op]) => [op, 0]));
        },
      ),
      { numRuns: 25 },
    );
  });

  it('either yields frames or throws a ProtocolError on arbitrary bytes, never anything else', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 6 }), (chunks) => {
        const parser = new FrameParser();
        try {
          for (const c of chunks) for (const f of parser.push(Buffer.from(c))) expect(f.payload.length).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
        } catch (e) {
          expect(e).toBeInstanceOf(ProtocolError);
          expect([1002, 1009]).toContain((e as ProtocolError).closeCode);
        }
      }),
      { numRuns: 500 },
    );
  });
});

// A real HTTP server with acceptWebSocket, driven by a raw TCP client so every byte is ours.
let server: Server | undefined;
const clients: Socket[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  if (server) await new Promise((r) => server!.close(r));
  server = undefined;
});

async function echoServer(): Promise<{ port: number; texts: string[]; closed: () => number; conns: WsConnection[] }> {
  const texts: string[] = [];
  const conns: WsConnection[] = [];
  let closed = 0;
  server = createServer();
  server.on('upgrade', (req, socket) => {
    const conn = acceptWebSocket(req, socket, (c) => ({
      onText: (t) => {
        texts.push(t);
        c.send(`echo:${t}`);
      },
      onClose: () => closed++,
    }));
    if (conn) conns.push(conn);
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return { port: (server.address() as AddressInfo).port, texts, closed: () => closed, conns };
}

/** Opens a raw socket, completes the handshake, and collects the server's frames. */
async function rawClient(port: number): Promise<{ sock: Socket; frames: () => { opcode: number; payload: Buffer }[]; ended: Promise<void> }> {
  const sock = connect(port, '127.0.0.1');
  clients.push(sock);
  let buf = Buffer.alloc(0);
  let handshaken = false;
  const frames: { opcode: number; payload: Buffer }[] = [];
  const ended = new Promise<void>((r) => sock.on('close', () => r()));
  await new Promise<void>((resolve) => {
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (!handshaken) {
        const i = buf.indexOf('\r\n\r\n');
        if (i < 0) return;
        expect(buf.subarray(0, i).toString()).toContain('101 Switching Protocols');
        buf = buf.subarray(i + 4);
        handshaken = true;
        resolve();
      }
      // Server frames are unmasked and small in these tests.
      while (buf.length >= 2) {
        let len = buf[1]! & 0x7f;
        let off = 2;
        if (len === 126) {
          if (buf.length < 4) return;
          len = buf.readUInt16BE(2);
          off = 4;
        }
        if (buf.length < off + len) return;
        frames.push({ opcode: buf[0]! & 0x0f, payload: Buffer.from(buf.subarray(off, off + len)) });
        buf = buf.subarray(off + len);
      }
    });
    sock.write('GET /api/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
  });
  return { sock, frames: () => frames, ended };
}

describe('a WebSocket connection', () => {
  it('delivers a fragmented text message once, whole, with a ping answered in between', async () => {
    const s = await echoServer();
    const c = await rawClient(s.port);
    c.sock.write(encodeClientFrame(OP.text, Buffer.from('{"id":1,'), undefined, false));
    c.sock.write(encodeClientFrame(OP.ping, Buffer.from('are you there')));
    c.sock.write(encodeClientFrame(OP.continuation, Buffer.from('"channel":"x"}'), undefined, true));
    await expect.poll(() => c.frames().length).toBe(2);
    expect(c.frames()[0]).toEqual({ opcode: OP.pong, payload: Buffer.from('are you there') });
    expect(c.frames()[1]!.payload.toString()).toBe('echo:{"id":1,"channel":"x"}');
    expect(s.texts).toEqual(['{"id":1,"channel":"x"}']);
  });

  it('answers a close with a close carrying the same code, then ends', async () => {
    const s = await echoServer();
    const c = await rawClient(s.port);
    const body = Buffer.alloc(2);
    body.writeUInt16BE(1000);
    c.sock.write(encodeClientFrame(OP.close, body));
    await c.ended;
    expect(c.frames()).toEqual([{ opcode: OP.close, payload: body }]);
    expect(s.closed()).toBe(1);
    expect(s.conns[0]!.open).toBe(false);
  });

  it('closes with 1009 on an oversized frame and 1003 on a binary message', async () => {
    const s = await echoServer();
    const big = await rawClient(s.port);
    big.sock.write(Buffer.from([0x81, 0x80 | 127, 0, 0, 0, 0, 0, 0x20, 0, 0, 1, 2, 3, 4]));
    await big.ended;
    expect(big.frames()[0]!.opcode).toBe(OP.close);
    expect(big.frames()[0]!.payload.readUInt16BE(0)).toBe(1009);
    const bin = await rawClient(s.port);
    bin.sock.write(encodeClientFrame(OP.binary, Buffer.from([1, 2, 3])));
    await bin.ended;
    expect(bin.frames()[0]!.payload.readUInt16BE(0)).toBe(1003);
    expect(s.texts).toEqual([]);
  });

  it('closes a connection that sends garbage without disturbing the server or other connections', async () => {
    const s = await echoServer();
    const good = await rawClient(s.port);
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 2, maxLength: 200 }), async (garbage) => {
        const bad = await rawClient(s.port);
        // Unmasked garbage (bit 7 of byte 1 clear) is always a protocol error.
        garbage[1] = garbage[1]! & 0x7f;
        bad.sock.write(garbage);
        await bad.ended;
        expect(bad.frames().at(-1)?.opcode).toBe(OP.close);
      }),
      { numRuns: 15 },
    );
    good.sock.write(encodeClientFrame(OP.text, Buffer.from('still here')));
    await expect.poll(() => good.frames().map((f) => f.payload.toString())).toEqual(['echo:still here']);
  });

  it('refuses a handshake without a key or with another version', async () => {
    const s = await echoServer();
    const sock = connect(s.port, '127.0.0.1');
    clients.push(sock);
    let reply = '';
    sock.on('data', (d: Buffer) => (reply += d.toString()));
    sock.write('GET /api/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 8\r\n\r\n');
    await new Promise((r) => sock.on('close', r));
    expect(reply).toMatch(/^HTTP\/1\.1 400 Bad Request/);
    expect(s.conns).toEqual([]);
  });
});
