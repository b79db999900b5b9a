/** Exhaustiveness guard for `switch` over a discriminated union: adding a member without handling it fails to compile. */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`unhandled ${what}: ${JSON.stringify(value)}`);
}
