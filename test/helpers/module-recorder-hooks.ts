// Loader hooks of ./module-recorder.ts: each module's URL, appended to the file as it loads.
import { appendFileSync } from 'node:fs';
import type { LoadHook } from 'node:module';

let out: string | undefined;

export function initialize(data: { out: string }): void {
  out = data.out;
}

export const load: LoadHook = (url, context, nextLoad) => {
  if (out) appendFileSync(out, `${url}\n`);
  return nextLoad(url, context);
};
