// The MCP server of `baton mcp`. It uses the SDK's low-level Server rather than McpServer so that baton
// decides both sides of each tool: the JSON Schema clients see (zod 4's own toJSONSchema of the same
// schemas the workflow validates) and the words of every refusal (a plan's problems all listed, with
// baton's wording, not a generic validation dump).
import { createRequire } from 'node:module';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  type CallToolResult,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { ConfigError } from '../config/index.js';
import { BadInputError, NotFoundError, TemporalUnavailableError } from '../client/errors.js';
import { formatPath, PlanError, type PathSegment } from '../plan/errors.js';
import { INTERVENTION_TOOLS } from './intervention-tools.js';
import { RUN_TOOLS } from './run-tools.js';
import type { BatonTool, ToolContext } from './tool.js';
import { NoWorkerError } from '../client/worker-check.js';

export const BATON_TOOLS: readonly BatonTool[] = [...RUN_TOOLS, ...INTERVENTION_TOOLS];

const INSTRUCTIONS = `baton runs a plan of Claude Code subagents as a durable Temporal workflow.
Submit a plan with baton_submit_plan (one call: once it answers with a runId, the run is in Temporal and goes on to its end even if this session ends). A \`baton worker\` on the same task queue executes runs; this server does not run agents.
Check on a run with baton_status, or baton_result (which can wait for the end); baton_list_runs with waiting: true lists runs that wait on a person.
To try baton without an API key, start a run with rehearse: true: a \`baton worker --rehearse\` runs it with a scripted model that completes every task, at no cost.
When a run waits on you (waitingOn in the status), intervene: baton_retry_task or baton_skip_task for a failed task, baton_approve or baton_reject for a gate, baton_answer for an agent's question, baton_resume after a pause, baton_abort to end it.
baton_notes reads what a run's agents recorded for each other.`;

function packageVersion(): string {
  try {
    // Compiled, this file is dist/src/mcp/server.js.
    return (createRequire(import.meta.url)('../../../package.json') as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

function jsonSchemaOf(schema: z.ZodType): Tool['inputSchema'] {
  const json = z.toJSONSchema(schema, { io: 'input', target: 'draft-7' });
  return json as Tool['inputSchema'];
}

function errorResult(text: string): CallToolResult {
  return { content: [{ type: 'text', text }], isError: true };
}

function argumentProblems(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const where = formatPath(issue.path.filter((s): s is PathSegment => typeof s !== 'symbol'));
      return `- ${where === '' ? 'arguments' : where}: ${issue.message}`;
    })
    .join('\n');
}

/** Problems the caller can fix; anything else is baton's or Temporal's trouble. */
function isCallersProblem(err: unknown): boolean {
  return (
    err instanceof PlanError ||
    err instanceof BadInputError ||
    err instanceof NotFoundError ||
    err instanceof ConfigError ||
    err instanceof TemporalUnavailableError ||
    err instanceof NoWorkerError
  );
}

export function createBatonMcpServer(context: ToolContext, tools: readonly BatonTool[] = BATON_TOOLS): Server {
  const server = new Server(
    { name: 'baton', title: 'baton', version: packageVersion() },
    { capabilities: { tools: {} }, instructions: INSTRUCTIONS },
  );
  const byName = new Map(tools.map((tool) => [tool.name, tool]));
  const listed: Tool[] = tools.map((tool) => ({
    name: tool.name,
    title: tool.title,
    description: tool.description,
    inputSchema: jsonSchemaOf(tool.advertised ?? tool.input),
    annotations: { title: tool.title, ...tool.annotations },
  }));

  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: listed }));

  server.setRequestHandler(CallToolRequestSchema, async (request): Promise<CallToolResult> => {
    const { name, arguments: args } = request.params;
    const tool = byName.get(name);
    if (!tool) {
      throw new McpError(
        ErrorCode.InvalidParams,
        `unknown tool ${name}; baton's tools are ${[...byName.keys()].join(', ')}`,
      );
    }
    // Bad arguments are a tool error, not a protocol error: the model reads it and can correct the call.
    const parsed = tool.input.safeParse(args ?? {});
    if (!parsed.success) {
      context.log(`${name}: bad arguments`);
      return errorResult(`Invalid arguments for ${name}:\n${argumentProblems(parsed.error)}`);
    }
    const started = Date.now();
    try {
      const answer = await tool.run(parsed.data, context);
      context.log(`${name}: ok (${Date.now() - started} ms)`);
      return {
        content: [
          { type: 'text', text: answer.text },
          { type: 'text', text: JSON.stringify(answer.data, null, 2) },
        ],
        structuredContent: answer.data,
      };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (isCallersProblem(err)) {
        context.log(`${name}: not done: ${message.split('\n')[0]}`);
        return errorResult(message);
      }
      context.log(`${name}: failed: ${err instanceof Error && err.stack ? err.stack : message}`);
      return errorResult(`${name} failed: ${message}`);
    }
  });

  return server;
}
