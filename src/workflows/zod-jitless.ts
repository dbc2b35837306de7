// Imported first by the workflow bundle's entry (./index.ts), before any module that builds a schema. Every run
// builds its own copies of the schemas (the sandbox gives each workflow its own modules) and parses its input with
// them about once, so zod's compiling an object's parser with `new Function` on its first parse costs more than it
// saves. Validation is the same either way.
import { z } from 'zod';

z.config({ jitless: true });
