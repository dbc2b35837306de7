// A task's runs: it starts, it ends with a result or a failure, and what it cost counts against the budget.
import type { RunAgentResult } from '../../contract/agent.js';
import type { Verification } from '../status.js';
import type { Core } from './core.js';
import { DERIVED_STATES, refresh } from './derivation.js';
import { takeNotes } from './guidance.js';
import { KEPT_TEXT_CHARS, SUMMARY_CHARS, type TaskFailure, type TaskRecord } from './state.js';
import { dropQuestion, holdQuestion } from './talk.js';

export function markRunning(core: Core, id: string, now: string): TaskRecord {
  const r = core.record(id);
  r.state = 'running';
  r.generation++;
  r.startedAt = now;
  r.endedAt = null;
  r.error = null;
  r.errorType = null;
  r.verification = null;
  for (const dep of core.task(id).dependsOn) trimWhenConsumed(core, dep);
  return r;
}

/** A step of a task's checks after its agent's answer (DESIGN.md §11; ../verification.ts). */
export type VerifyStep =
  /** Its `verify` commands run: verifying. */
  | { step: 'start' }
  /** A round of them ended (passed, or failed with no fix left). */
  | { step: 'round'; verification: Verification }
  /** The check failed, and goes back to its agent (running again): the answer it replaces counts now. */
  | { step: 'fix'; spent: { attempts: number; costUsd: number }; verification?: Verification };

export function verifying(core: Core, id: string, change: VerifyStep): void {
  const r = core.record(id);
  if (change.step === 'start') r.state = 'verifying';
  else if (change.verification) r.verification = { ...change.verification };
  if (change.step !== 'fix') return;
  r.state = 'running';
  r.attempts += change.spent.attempts;
  addCost(core, r, change.spent.costUsd);
}

/** Guidance (a person's notes waiting among it) and replacement prompt are used once, by the run that starts now. */
export function takeGuidance(core: Core, id: string, now: string): { guidance: string[]; prompt: string | null } {
  const r = core.record(id);
  const taken = { guidance: [...r.guidance, ...takeNotes(core, id, now)], prompt: r.prompt };
  r.guidance = [];
  r.prompt = null;
  return taken;
}

export function succeeded(core: Core, id: string, result: RunAgentResult, now: string): void {
  const r = core.record(id);
  recordResult(core, r, result, now);
  dropQuestion(r);
  r.state = core.task(id).approval === 'after' ? 'awaiting-review' : 'succeeded';
  trimWhenConsumed(core, id);
  refresh(core, [id]);
}

export function failed(core: Core, id: string, failure: TaskFailure, now: string): void {
  const r = core.record(id);
  r.attempts += failure.attempts;
  if (failure.sessionId) r.sessionId = failure.sessionId;
  addCost(core, r, failure.costUsd);
  // A question outlives the attempt that asked it: the task waits on its answer instead of failing.
  if (failure.cancelled) dropQuestion(r);
  else if (holdQuestion(core, r)) return refresh(core, [id]);
  r.endedAt = now;
  r.error = failure.message;
  r.errorType = failure.type;
  r.state = failure.cancelled ? 'cancelled' : 'failed';
  refresh(core, [id]);
}

export function recordResult(core: Core, r: TaskRecord, result: RunAgentResult, now: string): void {
  r.attempts += result.attempt;
  r.sessionId = result.sessionId;
  r.text = result.text.length > KEPT_TEXT_CHARS ? `${result.text.slice(0, KEPT_TEXT_CHARS)}…` : result.text;
  r.artifactPath = result.artifactPath;
  r.endedAt = now;
  addCost(core, r, result.costUsd);
}

/** A result's long text is kept for dependents' prompts; once all have started, a summary is enough. */
function trimWhenConsumed(core: Core, id: string): void {
  const r = core.record(id);
  if (r.text === null || r.text.length <= SUMMARY_CHARS) return;
  const waiting = core.dependentsOf(id).some((d) => DERIVED_STATES.has(core.record(d).state));
  if (!waiting) r.text = `${r.text.slice(0, SUMMARY_CHARS)}…`;
}

/** Past its budget, the run pauses (once: a person's resume with a higher budget lets it go on). */
export function addCost(core: Core, r: TaskRecord, costUsd: number): void {
  const { state } = core;
  r.costUsd += costUsd;
  state.costUsd += costUsd;
  const budget = state.budgetUsd;
  if (budget !== null && state.costUsd > budget && !state.pausedForBudget) {
    state.paused = true;
    state.pausedForBudget = true;
  }
}

/** Every task not settled becomes cancelled (used when the run ends early). */
export function cancelUnsettled(core: Core, now: string, reason: string): void {
  for (const r of core.state.records) {
    if (r.state === 'succeeded' || r.state === 'skipped' || r.state === 'failed' || r.state === 'cancelled') continue;
    if (r.state === 'blocked') continue;
    dropQuestion(r);
    r.state = 'cancelled';
    r.error ??= reason;
    r.endedAt ??= now;
  }
}
