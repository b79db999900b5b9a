/**
 * JSON with object keys sorted and undefined members left out, so that two equal values serialize to the same
 * bytes whatever order their keys were written in. Numbers go through JSON.stringify, the shortest text that
 * reads back to the same double (so full precision); NaN and ±Infinity print as null and −0 as 0, as JSON does.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const members: string[] = [];
    for (const key of Object.keys(value).sort()) {
      const member = (value as Record<string, unknown>)[key];
      if (member !== undefined) members.push(`${JSON.stringify(key)}:${canonicalJson(member)}`);
    }
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
