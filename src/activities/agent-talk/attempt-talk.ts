// An agent attempt's baton tools (DESIGN §13), for runAgent: the bridge claude's MCP server calls, the run it
// talks to, and what the attempt must know of its task's question — one asked before it started, or one its
// agent still waits on when it ends.
import type { Context } from '@temporalio/activity';
import type { RunAgentInput } from '../../contract/agent.js';
import type { AgentTool } from '../../contract/agent-tools.js';
import type { QuestionView } from '../../contract/talk.js';
import { openBridge, type TalkBridge, type UnboundBridge } from './bridge.js';
import { RunTalk } from './run-talk.js';
import { callTool } from './tools.js';

export interface AttemptTalk {
  /** claude's `--mcp-config` value. */
  readonly mcpConfig: string;
  /** The agent waits on a person's answer now (its attempt ending so leaves the question open). */
  readonly waitingForAnswer: boolean;
  /** The question the task's agent asked before this attempt (its attempt ended first), if the run still has it. */
  questionBefore(): Promise<QuestionView | null>;
  /** The question's answer reached the agent: the run closes the question. */
  answerTaken(questionId: number): Promise<void>;
  close(): Promise<void>;
}

export interface AttemptTalkOptions {
  taskId: string;
  generation: number;
  /** The attempt's Claude conversation (known once claude has started; the planned one before). */
  sessionId(): string;
  /** Ends what the attempt waits for when it is cancelled or over. */
  signal: AbortSignal;
  /** claude's file of the conversation on this host, once there is one. */
  conversationFile?: () => Promise<string | undefined>;
  /** The bridge of a claude started ahead for this attempt (../warm-pool.ts): it serves this attempt from now on. */
  bridge?: UnboundBridge;
}

/**
 * The tools of this attempt, or null where the activity has no client of its own (a test's mock environment):
 * the agent then runs without them.
 */
export async function openAttemptTalk(ctx: Context, options: AttemptTalkOptions): Promise<AttemptTalk | null> {
  const client = clientOf(ctx);
  const runId = ctx.info.workflowExecution?.workflowId;
  if (!client || !runId) return null;
  const warn = (message: string): void => ctx.log.warn(message);
  const talk = new RunTalk(client, runId, { taskId: options.taskId, generation: options.generation }, warn);
  const over = new AbortController();
  const signal = AbortSignal.any([options.signal, over.signal]);
  const handle = (tool: AgentTool, args: unknown) =>
    callTool(talk, tool, args, {
      sessionId: options.sessionId,
      signal,
      conversationFile: options.conversationFile,
    });
  options.bridge?.bind(handle);
  const bridge: TalkBridge = options.bridge ?? (await openBridge(handle, warn));
  return {
    mcpConfig: bridge.mcpConfig,
    get waitingForAnswer() {
      return talk.waitingForAnswer;
    },
    questionBefore: async () => {
      try {
        return await talk.openQuestionOfAnyWorker(signal);
      } catch (err) {
        warn(`could not ask the run for the task's question: ${(err as Error).message}`);
        return null;
      }
    },
    answerTaken: (questionId) => talk.answerTaken(questionId),
    async close() {
      over.abort(new Error('the attempt is over'));
      await bridge.close();
    },
  };
}

function clientOf(ctx: Context): Context['client'] | undefined {
  try {
    return ctx.client;
  } catch {
    return undefined;
  }
}

/** An answered question of an earlier attempt, for the attempt that brings its answer to the conversation. */
export interface EarlierQuestion {
  questionId: number;
  answer: NonNullable<RunAgentInput['answer']>;
}

/**
 * The question an earlier attempt of this run of the task asked (its attempt ended first): 'waiting' while it has
 * no answer; answered, the answer this attempt brings to the conversation; null when there is none.
 */
export async function questionOfEarlierAttempt(
  talk: AttemptTalk | null,
  input: RunAgentInput,
  attempt: number,
): Promise<'waiting' | EarlierQuestion | null> {
  // A first attempt has no earlier one; a run that brings an answer (input.answer) took its question along.
  if (!talk || attempt === 1 || input.answer) return null;
  const question = await talk.questionBefore();
  if (!question || question.generation !== input.generation) return null;
  if (question.answer === null) return 'waiting';
  return {
    questionId: question.id,
    answer: { question: question.question, text: question.answer },
  };
}
