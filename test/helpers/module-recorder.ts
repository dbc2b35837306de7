// Preloaded with `node --import <this file> …` by tests that check what a baton process loads. With
// BATON_TEST_MODULES_FILE set, every module the process loads is appended to that file as a URL: ES modules
// as they load (through the loader hooks of ./module-recorder-hooks.ts, which see every `import`), CommonJS
// modules from require's cache at exit (a package loaded with require() is never seen by the hooks).
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { pathToFileURL } from 'node:url';

const out = process.env.BATON_TEST_MODULES_FILE;
if (out) {
  register('./module-recorder-hooks.js', import.meta.url, { data: { out } });
  const cache = createRequire(import.meta.url).cache;
  process.on('exit', () => {
    appendFileSync(
      out,
      Object.keys(cache)
        .map((file) => `${pathToFileURL(file).href}\n`)
        .join(''),
    );
  });
}
