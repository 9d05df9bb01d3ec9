// A minimal PNG encoder (8-bit RGB, no interlace). Writing the bytes ourselves keeps cover art
// byte-identical across machines and independent of any image library or ffmpeg build.

import { promisify } from 'node:util';
import { crc32, deflate } from 'node:zlib';

// Compression runs on the libuv thread pool, off the event loop; zlib's output does not depend on
// which thread ran it.
const deflateAsync = promisify(deflate);

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export async function encodePngRgb(width: number, height: number, rgb: Uint8Array): Promise<Buffer> {
  if (rgb.length !== width * height * 3) {
    throw new Error(`encodePngRgb: expected ${width * height * 3} bytes of RGB, got ${rgb.length}`);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.writeUInt8(8, 8); // bit depth
  header.writeUInt8(2, 9); // colour type: truecolour
  // bytes 10..12: compression, filter method, interlace - all 0

  // Each scanline is prefixed with filter type 0 (None); simple and still compresses gradients well.
  const stride = width * 3;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (stride + 1)] = 0;
    Buffer.from(rgb.buffer, rgb.byteOffset + y * stride, stride).copy(raw, y * (stride + 1) + 1);
  }

  return Buffer.concat([
    SIGNATURE,
    chunk('IHDR', header),
    chunk('IDAT', await deflateAsync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData) >>> 0);
  return Buffer.concat([length, typeAndData, crc]);
}
