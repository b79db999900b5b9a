const SECRET_KEYS = new Set(['api_key', 'api_secret', 'telegram_token']);

/** A copy of a config with every secret replaced by `***` (or left out when unset): for output, manifests and logs. */
export function maskSecrets<T>(value: T, key = ''): T {
  if (SECRET_KEYS.has(key)) return (value === undefined ? undefined : '***') as T;
  if (Array.isArray(value)) return value.map((v) => maskSecrets(v)) as T;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskSecrets(v, k)])) as T;
  }
  return value;
}
