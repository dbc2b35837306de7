// What a fresh worker would otherwise do the first time a run needs it, in the middle of that run's first hops
// (docs/BENCHMARKS.md, "a fresh worker's first hop"): done once, while the worker waits for its first tasks.
import proto from '@temporalio/proto';
import { pidNamespaceFor } from '../activities/pid-namespace.js';

/**
 * The messages whose codecs the worker's main thread needs at a run's first hops. protobufjs generates a message's
 * encoder and decoder the first time one is encoded or decoded, and those of the messages inside it when they are
 * first met: ~20 ms for the run's description that live guidance reads (describe), a few ms for an activity's
 * completion and the activation that resolves it.
 */
const ACTIVITY_MESSAGES: unknown[] = [
  proto.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest,
  proto.temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse,
  proto.coresdk.ActivityTaskCompletion,
];
/** A worker that runs workflows also decodes their activations (an activity's result among them). */
const WORKFLOW_MESSAGES: unknown[] = [proto.coresdk.workflow_activation.WorkflowActivation];

/** The part of a protobufjs reflected message type used here (`@temporalio/proto`'s types are typed as classes). */
interface ReflectedMessage {
  setup(): unknown;
  fieldsArray: { resolve(): { resolvedType: unknown } }[];
}

function isReflectedMessage(value: unknown): value is ReflectedMessage {
  const candidate = value as Partial<ReflectedMessage> | null;
  return typeof candidate?.setup === 'function' && Array.isArray(candidate.fieldsArray);
}

/**
 * Generates the codecs of `message` and of every message it holds, at any depth; those a run generated already
 * (protobufjs puts them on the message itself, over its prototype's stubs) are kept.
 */
export function setUpCodecs(message: unknown, done = new Set<unknown>()): number {
  if (!isReflectedMessage(message) || done.has(message)) return done.size;
  done.add(message);
  if (!Object.hasOwn(message, 'decode')) message.setup();
  for (const field of message.fieldsArray) setUpCodecs(field.resolve().resolvedType, done);
  return done.size;
}

/**
 * Starts the one-time work in the background: one message's codecs a turn of the event loop (a few ms to ~30 ms
 * each), so that a task arriving meanwhile waits at most one of them; and the probe for PID namespaces (it starts
 * a process or more) unless agents run without one.
 */
export function warmUpWorker(options: { usePidNamespace?: boolean; workflows: boolean }): void {
  void pidNamespaceFor(options.usePidNamespace);
  const messages = options.workflows ? [...ACTIVITY_MESSAGES, ...WORKFLOW_MESSAGES] : ACTIVITY_MESSAGES;
  const done = new Set<unknown>();
  const next = (i: number): void => {
    if (i >= messages.length) return;
    setUpCodecs(messages[i], done);
    setImmediate(next, i + 1).unref();
  };
  setImmediate(next, 0).unref();
}
