/**
 * A small WebAssembly binary writer: just the instructions the forest kernel (ForestProgram.ts) needs, and a module
 * of functions over one imported shared memory. Generating the bytes in-process means no compiler toolchain at
 * install or run time. Opcodes and encodings from the WebAssembly core specification (binary format, §5) and its
 * threads and fixed-width SIMD extensions.
 */
export class WasmCode {
  readonly bytes: number[] = [];

  private uleb(value: number): this {
    this.bytes.push(...uleb128(value));
    return this;
  }

  private op(...codes: number[]): this {
    this.bytes.push(...codes);
    return this;
  }

  private memory(code: number, align: number, offset: number): this {
    return this.op(code).uleb(align).uleb(offset);
  }

  private simd(code: number): this {
    return this.op(0xfd).uleb(code);
  }

  get(local: number): this {
    return this.op(0x20).uleb(local);
  }
  set(local: number): this {
    return this.op(0x21).uleb(local);
  }
  tee(local: number): this {
    return this.op(0x22).uleb(local);
  }
  call(fn: number): this {
    return this.op(0x10).uleb(fn);
  }

  i32(value: number): this {
    this.op(0x41); // i32.const, then signed LEB128
    let v = value | 0;
    for (;;) {
      const byte = v & 0x7f;
      v >>= 7;
      if ((v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)) return this.op(byte);
      this.op(byte | 0x80);
    }
  }
  f64(value: number): this {
    return this.op(0x44, ...new Uint8Array(new Float64Array([value]).buffer));
  }

  i32Load(offset = 0): this {
    return this.memory(0x28, 2, offset);
  }
  f32Load(offset = 0): this {
    return this.memory(0x2a, 2, offset);
  }
  f64Load(offset = 0): this {
    return this.memory(0x2b, 3, offset);
  }
  u8Load(offset = 0): this {
    return this.memory(0x2d, 0, offset);
  }
  f64Store(offset = 0): this {
    return this.memory(0x39, 3, offset);
  }
  /** i32.atomic.rmw.add: adds to the i32 at the address, leaves the old value. */
  i32AtomicAdd(offset = 0): this {
    return this.op(0xfe).uleb(0x1e).uleb(2).uleb(offset);
  }

  add(): this {
    return this.op(0x6a);
  }
  sub(): this {
    return this.op(0x6b);
  }
  mul(): this {
    return this.op(0x6c);
  }
  remU(): this {
    return this.op(0x70);
  }
  and(): this {
    return this.op(0x71);
  }
  or(): this {
    return this.op(0x72);
  }
  shl(): this {
    return this.op(0x74);
  }
  shrU(): this {
    return this.op(0x76);
  }
  ltS(): this {
    return this.op(0x48);
  }
  geS(): this {
    return this.op(0x4e);
  }
  ltU(): this {
    return this.op(0x49);
  }
  geU(): this {
    return this.op(0x4f);
  }
  /** select: the first operand if the i32 on top is non-zero, else the second. */
  select(): this {
    return this.op(0x1b);
  }
  f32Ne(): this {
    return this.op(0x5c);
  }
  f32Ge(): this {
    return this.op(0x60);
  }
  f64Add(): this {
    return this.op(0xa0);
  }

  block(): this {
    return this.op(0x02, 0x40);
  }
  loop(): this {
    return this.op(0x03, 0x40);
  }
  if(): this {
    return this.op(0x04, 0x40);
  }
  end(): this {
    return this.op(0x0b);
  }
  br(depth: number): this {
    return this.op(0x0c).uleb(depth);
  }
  brIf(depth: number): this {
    return this.op(0x0d).uleb(depth);
  }

  i32x4Splat(): this {
    return this.simd(0x11);
  }
  f32x4Splat(): this {
    return this.simd(0x13);
  }
  i32x4ExtractLane(lane: number): this {
    return this.simd(0x1b).op(lane);
  }
  /** v128.load32_lane: (address, vector) → the vector with one lane replaced by the 32 bits at address + offset. */
  load32Lane(offset: number, lane: number): this {
    return this.simd(0x56).uleb(2).uleb(offset).op(lane);
  }
  f32x4Ge(): this {
    return this.simd(0x46);
  }
  v128And(): this {
    return this.simd(0x4e);
  }
  i32x4Shl(): this {
    return this.simd(0xab);
  }
  i32x4Add(): this {
    return this.simd(0xae);
  }
  i32x4Sub(): this {
    return this.simd(0xb1);
  }
}

export const I32 = 0x7f;
export const F32 = 0x7d;
export const V128 = 0x7b;

export interface WasmFunction {
  params: number[];
  /** Local declarations after the parameters, as [count, type] runs. */
  locals: [number, number][];
  code: WasmCode;
  /** Exported under this name, if any. */
  export?: string;
}

/** A module of functions of type (params) → (), importing env.memory as a shared memory (pages up to 65,536). */
export function wasmModule(functions: WasmFunction[]): Uint8Array {
  const leb = uleb128;
  const vector = (items: number[][]) => [...leb(items.length), ...items.flat()];
  const name = (s: string) => [...leb(s.length), ...new TextEncoder().encode(s)];
  const section = (id: number, body: number[]) => [id, ...leb(body.length), ...body];
  const exported = functions.flatMap((f, i) => (f.export ? [[...name(f.export), 0x00, ...leb(i)]] : []));
  const bodies = functions.map((f) => {
    const body = [...vector(f.locals.map(([count, type]) => [...leb(count), type])), ...f.code.bytes, 0x0b];
    return [...leb(body.length), ...body];
  });
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vector(functions.map((f) => [0x60, ...leb(f.params.length), ...f.params, 0x00]))),
    // env.memory: limits flag 3 = shared, with a maximum.
    ...section(2, vector([[...name('env'), ...name('memory'), 0x02, 0x03, ...leb(1), ...leb(65_536)]])),
    ...section(3, vector(functions.map((_, i) => leb(i)))),
    ...section(7, vector(exported)),
    ...section(10, vector(bodies)),
  ]);
}

/** Unsigned LEB128. */
function uleb128(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    const byte = v & 0x7f;
    v >>>= 7;
    out.push(v === 0 ? byte : byte | 0x80);
  } while (v !== 0);
  return out;
}

/** The few WebAssembly JS API members used here (Node 20's type definitions do not declare WebAssembly). */
export interface WasmModule {
  readonly kind: 'WebAssembly.Module';
}
export interface WasmMemory {
  readonly buffer: SharedArrayBuffer;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Memory: new (descriptor: { initial: number; maximum: number; shared: true }) => WasmMemory;
  Instance: new (module: WasmModule, imports: { env: { memory: WasmMemory } }) => { exports: Record<string, unknown> };
}
export const WebAssemblyApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
