// lz4js ships no types; this is the one function Xylen uses (LZ4 frame decoding for feather files).
declare module 'lz4js' {
  const lz4: { decompress(data: Uint8Array, maxSize?: number): ArrayLike<number> };
  export default lz4;
}
