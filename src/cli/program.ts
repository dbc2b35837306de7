// The `baton` command (started by ./main.ts): parses argv, dispatches to one module per command, and is the only
// place that turns errors into messages and exit codes (DESIGN.md §6):
// 0 completed · 1 failed, cancelled or aborted · 2 bad input (nothing started) · 3 Temporal unreachable.
import { Command, InvalidArgumentError, Option } from 'commander';
import { BadInputError } from '../client/errors.js';
import { loadConfig, MAX_WARM_AGENTS, WORKER_MEMORY_MODES, type Config } from '../config/index.js';
import { loadMetricsConfig } from '../config/metrics.js';
import { ExitCode, exitCodeOf } from '../errors/exit-code.js';
import type { Intervention, InterventionInput } from '../workflows/messages.js';
import type { RunOptions } from './commands/run.js';
import type { WorkerFlags } from './commands/worker.js';
import { lazy } from './lazy.js';

const artifactCommand = lazy(() => import('./commands/artifact.js'), 'artifactCommand');
const cleanCommand = lazy(() => import('./commands/clean.js'), 'cleanCommand');
const interveneCommand = lazy(() => import('./commands/intervene.js'), 'interveneCommand');
const readTasksFile = lazy(() => import('./commands/intervene.js'), 'readTasksFile');
const codecServerCommand = lazy(() => import('./commands/codec-server.js'), 'codecServerCommand');
const listCommand = lazy(() => import('./commands/list.js'), 'listCommand');
const mcpCommand = lazy(() => import('./commands/mcp.js'), 'mcpCommand');
const notesCommand = lazy(() => import('./commands/notes.js'), 'notesCommand');
const planCommand = lazy(() => import('./commands/plan.js'), 'planCommand');
const planShowCommand = lazy(() => import('./commands/plan.js'), 'planShowCommand');
const runCommand = lazy(() => import('./commands/run.js'), 'runCommand');
const serverCommand = lazy(() => import('./commands/server.js'), 'serverCommand');
const startCommand = lazy(() => import('./commands/start.js'), 'startCommand');
const resultCommand = lazy(() => import('./commands/status.js'), 'resultCommand');
const statusCommand = lazy(() => import('./commands/status.js'), 'statusCommand');
const graphCommand = lazy(() => import('./commands/validate.js'), 'graphCommand');
const validateCommand = lazy(() => import('./commands/validate.js'), 'validateCommand');
const watchCommand = lazy(() => import('./commands/watch.js'), 'watchCommand');
const workerCommand = lazy(() => import('./commands/worker.js'), 'workerCommand');

let exitCode: number = ExitCode.Completed;
const config = (): Config => loadConfig(process.env, process.cwd());
const done = (code: number) => {
  exitCode = code;
};

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a positive number');
  return n;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('must be a positive whole number');
  return n;
}

function warmAgentsCount(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > MAX_WARM_AGENTS) {
    throw new InvalidArgumentError(`must be a whole number from 0 to ${MAX_WARM_AGENTS}`);
  }
  return n;
}

const ALLOW_BYPASS_HELP =
  "let plans' agents run with permissionMode bypassPermissions (no permission checks; also BATON_ALLOW_BYPASS=1)";
const WARM_AGENTS_HELP =
  'claudes started ahead of their task (when its last dependency starts) at most at once; 0: none (default BATON_WARM_AGENTS, else 4)';
const MEMORY_HELP =
  "the worker's heap: small (default BATON_WORKER_MEMORY, else small) keeps memory low; large takes more for less CPU on large runs";
const program = new Command('baton')
  .description('Run a plan of Claude Code subagents as a durable Temporal workflow.')
  .version('0.1.0')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride()
  .addHelpText(
    'after',
    `
Environment: TEMPORAL_ADDRESS (unset: an embedded dev server), TEMPORAL_NAMESPACE, TEMPORAL_API_KEY,
TEMPORAL_TLS_CERT/KEY/CA, TEMPORAL_PROFILE and TEMPORAL_CONFIG_FILE (a temporal.toml profile; the
variables override it), BATON_TASK_QUEUE (baton), BATON_CLAUDE_BIN, BATON_HOME (.baton), TEMPORAL_CLI_PATH,
BATON_ARTIFACTS (s3://bucket/prefix; unset: BATON_HOME/artifacts) with AWS_ENDPOINT_URL_S3, AWS_REGION,
AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, BATON_S3_PATH_STYLE; BATON_OTEL_ENDPOINT (tracing).
What a worker lets plans do: BATON_WORKSPACE_ROOTS (folders agents may work in, ":"-separated; default the
worker's folder), BATON_ALLOW_BYPASS=1, BATON_NO_COMMANDS=1, BATON_AGENT_ENV (variables agents see besides
claude's own).
Exit codes: 0 completed, 1 failed/cancelled/aborted, 2 bad input, 3 Temporal unreachable.`,
  );

program
  .command('run')
  .description('run a plan to its end: Temporal, a worker, live progress and the result, all in one')
  .argument('[plan]', 'plan file (YAML or JSON)')
  .option('--goal <goal>', "plan from a goal instead of a file (the run's first step)")
  .option('--approve-plan', 'with --goal: wait for approval of the plan before running it')
  .option('--agents-dir <dir>', 'with --goal: the agents a plan may assign (default .claude/agents)')
  .option('--id <id>', 'workflow id of the run (default baton-<plan name>-<random>)')
  .option('--json', 'print the final status JSON on stdout (progress goes to stderr)')
  .option(
    '--rehearse',
    'use a scripted model that completes every task and writes its expectedOutputs (no API key, no cost)',
  )
  .option('--allow-bypass-permissions', ALLOW_BYPASS_HELP)
  .action(async (plan: string | undefined, o: Omit<RunOptions, 'planFile'>) =>
    done(await runCommand(config(), { planFile: plan, ...o })),
  );

program
  .command('start')
  .description('start a run and return; a `baton worker` runs it')
  .argument('[plan]', 'plan file (YAML or JSON)')
  .option('--goal <goal>', 'plan from a goal instead of a file')
  .option('--approve-plan', 'wait for approval of the plan before running it')
  .option('--agents-dir <dir>', 'with --goal: the agents a plan may assign (default .claude/agents)')
  .option('--id <id>', 'workflow id of the run')
  .option('--json', 'print {"runId","uiUrl"}')
  .option(
    '--rehearse',
    'a rehearsal: `baton worker --rehearse` runs it with a scripted model that completes every task (no API key, no cost)',
  )
  .action(
    async (
      plan: string | undefined,
      o: { goal?: string; approvePlan?: boolean; agentsDir?: string; id?: string; json?: boolean; rehearse?: boolean },
    ) => done(await startCommand(config(), { planFile: plan, ...o })),
  );

const planCmd = program
  .command('plan')
  .description('ask the planner agent for a plan of a goal and print it (or write it with -o); `plan show <run>`')
  .option('--goal <goal>', 'what the plan should achieve')
  .option('-o, --output <file>', 'write the plan (YAML) to this file instead of printing it')
  .option('--agents-dir <dir>', 'the agents a plan may assign (default .claude/agents)')
  .option('--model <model>', "the planner's model")
  .option('--rehearse', 'use a scripted model that answers with a small plan (no API key, no cost)')
  .action(async (o: { goal?: string; output?: string; agentsDir?: string; model?: string; rehearse?: boolean }) => {
    if (o.goal === undefined)
      throw new BadInputError('give the goal: baton plan --goal "…" (or baton plan show <run>)');
    done(await planCommand(config(), { ...o, goal: o.goal }));
  });
planCmd
  .command('show')
  .description('print the plan of a run as YAML: the accepted one, or the one waiting for approval')
  .argument('<run>', 'run id')
  .option('--json', 'print JSON')
  .action(async (runId: string, o: { json?: boolean }) => done(await planShowCommand(config(), { runId, ...o })));

program
  .command('status')
  .description("show a run's phase and every task's state")
  .argument('<run>', 'run id')
  .option('--json', 'print the status JSON')
  .action(async (runId: string, o: { json?: boolean }) => done(await statusCommand(config(), { runId, ...o })));

program
  .command('artifact')
  .description("print a task's full result, or another of its files, from wherever artifacts are kept (folder or S3)")
  .argument('<run>', 'run id')
  .argument('<task>', 'task id')
  .argument('[file]', 'a file as --list names it (g1/attempt-1.jsonl; without g<n>/: the latest); default result.md')
  .option('--list', "list the task's files (every attempt) with their sizes and references")
  .option('--json', 'with --list: print JSON')
  .action(async (runId: string, taskId: string, file: string | undefined, o: { list?: boolean; json?: boolean }) =>
    done(await artifactCommand(config(), { runId, taskId, file, ...o })),
  );

program
  .command('watch')
  .description('a live view of a run until it ends: states, attempts, time, cost, and what it waits on')
  .argument('<run>', 'run id')
  .option('--json', 'print the status JSON, one line each time it changes (NDJSON), until the run ends')
  .action(async (runId: string, o: { json?: boolean }) => done(await watchCommand(config(), { runId, ...o })));

program
  .command('result')
  .description('wait for a run to end and print its final status')
  .argument('<run>', 'run id')
  .option('--json', 'print the status JSON')
  .action(async (runId: string, o: { json?: boolean }) => done(await resultCommand(config(), { runId, ...o })));

program
  .command('notes')
  .description("the notes a run's agents recorded for each other, newest first")
  .argument('<run>', 'run id')
  .option('--query <text>', 'only notes whose key or text contains this')
  .option('--json', 'print {"runId","notes":[{key,text,taskId,at}],"complete"}')
  .action(async (runId: string, o: { query?: string; json?: boolean }) =>
    done(await notesCommand(config(), { runId, ...o })),
  );

program
  .command('list')
  .description('list runs')
  .option('--waiting', 'only runs that wait on a person')
  .option('--json', 'print JSON')
  .action(async (o: { waiting?: boolean; json?: boolean }) => done(await listCommand(config(), o)));

program
  .command('validate')
  .description('check a plan and print its shape; exit 2 with every problem found')
  .argument('<plan>', 'plan file')
  .option('--json', 'print JSON')
  .action(async (plan: string, o: { json?: boolean }) => done(await validateCommand({ planFile: plan, ...o })));

program
  .command('graph')
  .description("print a plan's tasks and dependencies as a Mermaid flowchart (tasks with an approval gate: hexagons)")
  .argument('<plan>', 'plan file')
  .option('--json', 'print {"name","mermaid","tasks"} as JSON')
  .action(async (plan: string, o: { json?: boolean }) => done(await graphCommand({ planFile: plan, ...o })));

program
  .command('worker')
  .description('run a worker: executes runs from the task queue until Ctrl-C')
  .option('--max-agents <n>', 'agents this worker runs at once', positiveInt)
  .option('--warm-agents <n>', WARM_AGENTS_HELP, warmAgentsCount)
  .addOption(new Option('--memory <mode>', MEMORY_HELP).choices(WORKER_MEMORY_MODES))
  .option('--grace <duration>', 'how long running agents may finish after Ctrl-C before they are cancelled', '30s')
  .option('--task-queue <queue>', 'the task queue to serve (default BATON_TASK_QUEUE, else baton)')
  .option(
    '--activities-only',
    "run agents only, no workflows: serves the tasks a plan routes to this queue (a task's taskQueue)",
  )
  .option('--allow-bypass-permissions', ALLOW_BYPASS_HELP)
  .option('--no-commands', "refuse plans' verify commands: this worker runs agents only (also BATON_NO_COMMANDS=1)")
  .option(
    '--rehearse',
    'run the rehearsals of `baton start --rehearse` (queue <task queue>-rehearsal) with a scripted model: no API key, no cost',
  )
  .action(async ({ maxAgents, commands, ...o }: WorkerFlags) =>
    done(await workerCommand(config(), { ...o, maxConcurrentAgents: maxAgents, noCommands: commands === false })),
  );

program
  .command('server')
  .description(
    'start the embedded Temporal dev server in the background (`baton server stop` stops it; `status`: is it running?)',
  )
  .argument('[action]', 'start (default), stop, or status (exit 0 when it runs, 1 when not)')
  .option('--json', 'with status: print JSON')
  .action(async (action: string | undefined, o: { json?: boolean }) =>
    done(await serverCommand(config(), { action, ...o })),
  );

program
  .command('codec-server')
  .description('decrypt payloads for the Web UI and `temporal --codec-endpoint` (needs BATON_ENCRYPTION_KEY[S])')
  .option('--port <port>', 'port to listen on', positiveInt, 8888)
  .option('--host <host>', 'interface to listen on (beyond loopback it needs BATON_CODEC_AUTH_TOKEN)', '127.0.0.1')
  .option(
    '--allow-host <name>',
    'a name browsers reach it by (its Host header), besides loopback names and IP addresses; repeatable',
    (name: string, names: string[]) => [...names, name],
    [] as string[],
  )
  .action(async (o: { port: number; host: string; allowHost: string[] }) =>
    done(await codecServerCommand(config(), { port: o.port, host: o.host, allowedHosts: o.allowHost })),
  );

program
  .command('clean')
  .description("remove an ended run's git worktrees (worktree isolation); its branches stay")
  .argument('<run>', 'run id')
  .option('--json', 'print what was removed as JSON')
  .action(async (runId: string, o: { json?: boolean }) => done(await cleanCommand(config(), { runId, ...o })));

program
  .command('mcp')
  .description('serve baton as MCP tools on stdio (for Claude Code: .mcp.json); a `baton worker` runs the runs')
  .action(async () => done(await mcpCommand(config())));

const intervention = (name: string, description: string) =>
  program.command(name).description(description).option('--json', 'print the status JSON after the change');
/** How a task is named on the command line: its id, or below a task with a sub-plan its path id. */
const TASK_ARGUMENT = 'task id (a task of a sub-plan: its path id, such as backend/db)';

/** Send one intervention (DESIGN.md §4) and print its answer. */
const send = async <O extends Intervention>(
  operation: O,
  runId: string,
  payload: InterventionInput<O>,
  json?: boolean,
) => done(await interveneCommand(config(), { runId, operation, payload, json }));

intervention('approve', 'approve an open gate (a task, or with no task the plan)')
  .argument('<run>')
  .argument('[task]', TASK_ARGUMENT)
  .option('--note <note>', 'a note kept with the approval')
  .action(async (runId: string, taskId: string | undefined, o: { note?: string; json?: boolean }) =>
    send('approve', runId, { taskId, note: o.note }, o.json),
  );
intervention('reject', 'reject an open gate; an `after` gate re-runs the task with the reason as feedback')
  .argument('<run>')
  .argument('[task]', TASK_ARGUMENT)
  .requiredOption('--reason <reason>', 'required: why (an `after` gate gives it to the agent as feedback)')
  .action(async (runId: string, taskId: string | undefined, o: { reason: string; json?: boolean }) =>
    send('reject', runId, { taskId, reason: o.reason }, o.json),
  );
intervention('pause', 'start no new tasks (running ones finish)')
  .argument('<run>')
  .action(async (runId: string, o: { json?: boolean }) => send('pause', runId, {}, o.json));
intervention('resume', 'resume a paused run')
  .argument('<run>')
  .option('--budget <usd>', 'raise the budget to this many dollars', positiveNumber)
  .action(async (runId: string, o: { budget?: number; json?: boolean }) =>
    send('resume', runId, { budgetUsd: o.budget }, o.json),
  );
intervention('retry', 'run a failed or cancelled task again (a merge conflict: hand it to a resolver agent)')
  .argument('<run>')
  .argument('<task>', TASK_ARGUMENT)
  .option('--prompt <prompt>', 'a replacement prompt for the task')
  .option('--note <note>', 'a note added to the prompt')
  .option('--reset', "worktree isolation: start from a clean worktree instead of the task's partial work")
  .action(
    async (runId: string, taskId: string, o: { prompt?: string; note?: string; reset?: boolean; json?: boolean }) =>
      send('retryTask', runId, { taskId, prompt: o.prompt, note: o.note, reset: o.reset }, o.json),
  );
intervention('skip', 'skip a task that is not running or done (its dependents proceed)')
  .argument('<run>')
  .argument('<task>', TASK_ARGUMENT)
  .option('--reason <reason>', 'why')
  .action(async (runId: string, taskId: string, o: { reason?: string; json?: boolean }) =>
    send('skipTask', runId, { taskId, reason: o.reason }, o.json),
  );
intervention('cancel', 'cancel a running task (its processes are killed)')
  .argument('<run>')
  .argument('<task>', TASK_ARGUMENT)
  .option('--reason <reason>', "why (kept as the task's error)")
  .action(async (runId: string, taskId: string, o: { reason?: string; json?: boolean }) =>
    send('cancelTask', runId, { taskId, reason: o.reason }, o.json),
  );
intervention('guide', "send a task's agent a message: at its next turn while it runs, else in its next attempt")
  .argument('<run>')
  .argument('<task>', TASK_ARGUMENT)
  .argument('<message>')
  .action(async (runId: string, taskId: string, message: string, o: { json?: boolean }) =>
    send('guide', runId, { taskId, message }, o.json),
  );
intervention('add', 'add tasks (a YAML/JSON list, or {tasks: [...]}) to a running run')
  .argument('<run>')
  .argument('<file>')
  .action(async (runId: string, file: string, o: { json?: boolean }) =>
    send('addTasks', runId, { tasks: await readTasksFile(file) }, o.json),
  );
intervention('answer', "answer the question a task's agent asked (it continues its conversation with the answer)")
  .argument('<run>')
  .argument('<task>')
  .argument('<text>', 'the answer')
  .action(async (runId: string, taskId: string, text: string, o: { json?: boolean }) =>
    send('answer', runId, { taskId, text }, o.json),
  );
intervention('abort', 'end a run now: running tasks are cancelled')
  .argument('<run>')
  .option('--reason <reason>', 'why')
  .action(async (runId: string, o: { reason?: string; json?: boolean }) =>
    send('abort', runId, { reason: o.reason }, o.json),
  );

async function main(): Promise<void> {
  // The AWS SDK (S3 artifacts) warns on every start under Node 20 that its future releases will need Node 22;
  // baton pins an SDK release that supports Node 20 (package.json), so the warning would only be noise.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // The SDK's INFO lines (worker state changes) are noise in a terminal; BATON_LOG_LEVEL=INFO shows them.
  // Only processes that run a worker serve metrics (BATON_METRICS_PORT): another would find the port taken.
  const runsWorker = ['worker', 'run'].includes(process.argv[2] ?? '');
  if (runsWorker) {
    const [{ Runtime }, { runtimeTelemetry }, { workerLogger }] = await Promise.all([
      import('@temporalio/worker'),
      import('../workers/metrics.js'),
      import('../workers/log.js'),
    ]);
    Runtime.install({
      logger: workerLogger((process.env.BATON_LOG_LEVEL as 'WARN' | undefined) ?? 'WARN'),
      telemetryOptions: runtimeTelemetry(loadMetricsConfig(process.env)),
    });
  }
  try {
    await program.parseAsync(process.argv);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help') {
      exitCode = 0;
      return;
    }
    if (typeof code === 'string' && code.startsWith('commander.')) {
      exitCode = ExitCode.BadInput; // commander printed the message already
      return;
    }
    throw err;
  }
}

main()
  .catch((err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    // A message that names its command already (`baton retry refused: …`) needs no "baton: " before it.
    process.stderr.write(message.startsWith('baton ') ? `${message}\n` : `baton: ${message}\n`);
    if (process.env.BATON_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    exitCode = exitCodeOf(err);
  })
  .finally(() => {
    process.exitCode = exitCode;
    // Open handles (gRPC channels, the native runtime) must not keep a finished command alive.
    setTimeout(() => process.exit(exitCode), 100).unref();
  });
