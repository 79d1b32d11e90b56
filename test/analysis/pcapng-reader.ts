/**
 * A small pcapng reader for the capture's tests: blocks as they are laid out in the file
 * (little-endian), checked as it goes (lengths repeated at both ends, 32-bit alignment,
 * options closed by opt_endofopt), so that a test reads back what the writer wrote without
 * trusting the writer's own code.
 */
export interface Option {
  code: number;
  value: Uint8Array;
}

export interface Block {
  type: number;
  /** The block's fixed fields (before its options). */
  body: Uint8Array;
  options: Option[];
}

export interface Packet {
  interfaceId: number;
  tNs: number;
  data: Uint8Array;
  comments: string[];
  /** epb_flags, or null when absent. */
  flags: number | null;
}

const FIXED: Record<number, number> = { 0x0a0d0d0a: 16, 1: 8 };

export function readBlocks(bytes: Uint8Array): Block[] {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const blocks: Block[] = [];
  let at = 0;
  while (at < bytes.length) {
    const type = v.getUint32(at, true);
    const length = v.getUint32(at + 4, true);
    if (length % 4 !== 0 || length < 12 || at + length > bytes.length) throw new Error(`block at ${at}: bad length ${length}`);
    if (v.getUint32(at + length - 4, true) !== length) throw new Error(`block at ${at}: trailing length differs`);
    let fixed: number;
    if (type === 6) fixed = 20 + ((v.getUint32(at + 8 + 12, true) + 3) & ~3);
    else if (type in FIXED) fixed = FIXED[type];
    else throw new Error(`block at ${at}: unexpected type ${type}`);
    const body = bytes.slice(at + 8, at + 8 + fixed);
    const options: Option[] = [];
    let o = at + 8 + fixed;
    const end = at + length - 4;
    if (o < end) {
      for (;;) {
        const code = v.getUint16(o, true);
        const len = v.getUint16(o + 2, true);
        if (code === 0) {
          if (len !== 0 || o + 4 !== end) throw new Error(`block at ${at}: opt_endofopt is not last`);
          break;
        }
        options.push({ code, value: bytes.slice(o + 4, o + 4 + len) });
        o += 4 + ((len + 3) & ~3);
        if (o >= end) throw new Error(`block at ${at}: options not closed by opt_endofopt`);
      }
    }
    blocks.push({ type, body, options });
    at += length;
  }
  return blocks;
}

const utf8 = new TextDecoder();

export function text(o: Option): string {
  return utf8.decode(o.value);
}

export function packets(bytes: Uint8Array): Packet[] {
  return readBlocks(bytes)
    .filter((b) => b.type === 6)
    .map((b) => {
      const v = new DataView(b.body.buffer, b.body.byteOffset, b.body.byteLength);
      const caplen = v.getUint32(12, true);
      const flags = b.options.find((o) => o.code === 2);
      return {
        interfaceId: v.getUint32(0, true),
        tNs: v.getUint32(4, true) * 2 ** 32 + v.getUint32(8, true),
        data: b.body.slice(20, 20 + caplen),
        comments: b.options.filter((o) => o.code === 1).map(text),
        flags: flags ? new DataView(flags.value.buffer).getUint32(0, true) : null,
      };
    });
}
