// Chaos (issue 18, worktrees across hosts) on the dev server: host A SIGKILLed mid-agent after its agent wrote a
// file; host B continues the conversation in a worktree made from the git remote's checkpoint, finds the file, and
// the merge lands on the remote's integration branch (the scenario: worktree-two-hosts.ts).
import { after, before, describe, it } from 'node:test';
import { startTestS3, type TestS3 } from '../helpers/s3-server.js';
import { testTemporal, type TestTemporal } from '../helpers/temporal.js';
import { report } from './chaos.js';
import { worktreeAcrossHosts } from './worktree-two-hosts.js';

let temporal: TestTemporal;
let s3: TestS3;
before(async () => {
  temporal = await testTemporal();
  s3 = await startTestS3();
});
after(async () => {
  await s3.close();
  await temporal.close();
});

void describe('chaos: host A SIGKILLed mid-agent; host B picks up its worktree from the remote', () => {
  void it('host B continues the conversation in a worktree holding host A’s file; the merge lands on the remote', async () => {
    report('worktree resumed on another host (git remote + S3)', await worktreeAcrossHosts(temporal, s3));
  });
});
