// The PKCS#12 key derivation (RFC 7292 B.2) with SHA-1, fast: node-forge's own spends ~25 ms of
// main-thread time per bag on 2048 rounds of its string-based SHA-1; after the first round every
// input is one 20-byte digest, so the rest runs as single-block compressions on integers.
import { hash } from 'node:crypto';

const W = new Int32Array(80);
const IV = [0x67452301, 0xefcdab89 | 0, 0x98badcfe | 0, 0x10325476, 0xc3d2e1f0 | 0];

/** SHA-1 applied `rounds` more times to a 20-byte digest. */
function sha1Rounds(d: Buffer, rounds: number): Buffer {
  let h0 = d.readInt32BE(0);
  let h1 = d.readInt32BE(4);
  let h2 = d.readInt32BE(8);
  let h3 = d.readInt32BE(12);
  let h4 = d.readInt32BE(16);
  for (let r = 0; r < rounds; r++) {
    // the message block: the previous digest, 0x80, zeros, length 160 bits
    W[0] = h0;
    W[1] = h1;
    W[2] = h2;
    W[3] = h3;
    W[4] = h4;
    W[5] = 0x80000000;
    for (let i = 6; i < 15; i++) W[i] = 0;
    W[15] = 160;
    for (let i = 16; i < 80; i++) {
      const x = W[i - 3] ^ W[i - 8] ^ W[i - 14] ^ W[i - 16];
      W[i] = (x << 1) | (x >>> 31);
    }
    // each round hashes a fresh message from SHA-1's initial state
    let a = IV[0];
    let b = IV[1];
    let c = IV[2];
    let e2 = IV[3];
    let e = IV[4];
    let i = 0;
    for (; i < 20; i++) {
      const t = (((a << 5) | (a >>> 27)) + ((b & c) | (~b & e2)) + e + 0x5a827999 + W[i]) | 0;
      e = e2; e2 = c; c = (b << 30) | (b >>> 2); b = a; a = t;
    }
    for (; i < 40; i++) {
      const t = (((a << 5) | (a >>> 27)) + (b ^ c ^ e2) + e + 0x6ed9eba1 + W[i]) | 0;
      e = e2; e2 = c; c = (b << 30) | (b >>> 2); b = a; a = t;
    }
    for (; i < 60; i++) {
      const t = (((a << 5) | (a >>> 27)) + ((b & c) | (b & e2) | (c & e2)) + e - 0x70e44324 + W[i]) | 0;
      e = e2; e2 = c; c = (b << 30) | (b >>> 2); b = a; a = t;
    }
    for (; i < 80; i++) {
      const t = (((a << 5) | (a >>> 27)) + (b ^ c ^ e2) + e - 0x359d3e2a + W[i]) | 0;
      e = e2; e2 = c; c = (b << 30) | (b >>> 2); b = a; a = t;
    }
    h0 = (IV[0] + a) | 0;
    h1 = (IV[1] + b) | 0;
    h2 = (IV[2] + c) | 0;
    h3 = (IV[3] + e2) | 0;
    h4 = (IV[4] + e) | 0;
  }
  const out = Buffer.alloc(20);
  [h0, h1, h2, h3, h4].forEach((h, i) => out.writeInt32BE(h, i * 4));
  return out;
}

/** RFC 7292 B.2 with SHA-1 (u = 20, v = 64); the password as BMPString with its two zero bytes. */
export function pkcs12Kdf(password: string | null | undefined, salt: Buffer, id: number, iter: number, n: number): Buffer {
  if (!(iter >= 1)) throw new Error('PKCS#12 key derivation iteration count must be >= 1.');
  const u = 20;
  const v = 64;
  const pass = Buffer.alloc(password == null ? 0 : (password.length + 1) * 2);
  if (password != null) for (let i = 0; i < password.length; i++) pass.writeUInt16BE(password.charCodeAt(i), i * 2);
  const fill = (src: Buffer) => {
    const out = Buffer.alloc(v * Math.ceil(src.length / v));
    for (let i = 0; i < out.length; i++) out[i] = src[i % src.length];
    return out;
  };
  const I = Buffer.concat([fill(salt), fill(pass)]);
  const D = Buffer.alloc(v, id);
  const parts: Buffer[] = [];
  for (let i = 1; i <= Math.ceil(n / u); i++) {
    const A = sha1Rounds(hash('sha1', Buffer.concat([D, I]), 'buffer'), iter - 1);
    parts.push(A);
    const B = Buffer.alloc(v);
    for (let l = 0; l < v; l++) B[l] = A[l % u];
    for (let j = 0; j < I.length; j += v) {
      let x = 0x1ff;
      for (let l = v - 1; l >= 0; l--) {
        x = x >> 8;
        x += B[l] + I[j + l];
        I[j + l] = x & 0xff;
      }
    }
  }
  return Buffer.concat(parts).subarray(0, n);
}
