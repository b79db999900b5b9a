// A stand-in for a replay or sweep writing the store, driven by StoreWriter (StoreWriter.ts) over stdin: "hold" opens
// the store read-write, "release" closes it, "ping" answers; end of input closes and exits.
import { createInterface } from 'node:readline';
import { Store } from '../../data/index.ts';

let store: Store | undefined;
const path = process.argv[2]!;
for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'hold') {
    store ??= await Store.open(path);
    process.stdout.write('held\n');
  } else if (line === 'release') {
    store?.close();
    store = undefined;
    process.stdout.write('released\n');
  } else if (line === 'ping') process.stdout.write('pong\n');
}
store?.close();
