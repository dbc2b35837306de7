// The first of the modules every run on a worker shares (SHARED_WORKFLOW_MODULES, src/workers/workflow-code.ts),
// loaded before any module that builds a schema: zod's settings are frozen with the rest of zod once the shared
// modules have loaded. Without `jitless`, zod compiles an object's parser with `new Function` on its first parse,
// after asking whether it may through a flag it caches on first use — which a frozen zod cannot do. Validation is
// the same either way.
import { z } from 'zod';

z.config({ jitless: true });
