// How a person's answer reaches the agent that waits for it at once: the workflow tells its worker through a sink
// (../../contract/talk.ts AnswerSinks) and, when that agent runs in the same worker process (as it does with one
// worker per host), the waiting activity wakes here. Agents of other workers find the answer by asking the run.
import type { InjectedSinks } from '@temporalio/worker';
import type { AnswerSinks } from '../../contract/talk.js';

type Wake = (answer: string) => void;

const waiting = new Map<string, Wake>();
const keyOf = (runId: string, taskId: string, questionId: number): string => `${runId}\n${taskId}\n${questionId}`;

/** Calls `wake` with the answer when the run says it has one; returns the function that stops listening. */
export function listenForAnswer(runId: string, taskId: string, questionId: number, wake: Wake): () => void {
  const key = keyOf(runId, taskId, questionId);
  waiting.set(key, wake);
  return () => {
    if (waiting.get(key) === wake) waiting.delete(key);
  };
}

/** The worker's side of the sink (not called on replay: an old answer wakes nobody). */
export function answerSinks(): InjectedSinks<AnswerSinks> {
  return {
    agentAnswers: {
      answered: {
        fn: (info, taskId, questionId, answer) => waiting.get(keyOf(info.workflowId, taskId, questionId))?.(answer),
      },
    },
  };
}
