// Worker thread for `station synth`: renders and encodes the parcels it is asked for.
import { parentPort, workerData } from 'node:worker_threads';
import { encodeParcel } from './encode.ts';
import { synthParcel, type SynthOptions } from './parcel.ts';

const options = workerData as SynthOptions;
parentPort?.on('message', (index: number) => {
  encodeParcel(synthParcel(index, options)).then(
    (result) => parentPort?.postMessage({ index, result }),
    (e: unknown) => parentPort?.postMessage({ index, error: e instanceof Error ? e.message : String(e) }),
  );
});
