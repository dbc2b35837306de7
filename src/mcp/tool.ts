// The shape of one baton MCP tool: a zod schema that checks the arguments (and, turned into JSON Schema,
// tells the client what to send), and a function that does the work.
import type { ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import type { z } from 'zod';
import type { Config } from '../config/index.js';
import type { Session } from './session.js';

export interface ToolContext {
  config: Config;
  session: Session;
  /** The folder relative paths are resolved against when a call gives no `cwd`: the server's own. */
  cwd: string;
  log(message: string): void;
}

/** What a tool answers: lines for the model to read, and the same facts as JSON. */
export interface ToolAnswer {
  text: string;
  data: Record<string, unknown>;
}

export interface BatonTool<S extends z.ZodType = z.ZodType> {
  name: string;
  title: string;
  description: string;
  /** Checks the arguments; its JSON Schema is what `tools/list` shows, unless `advertised` is given. */
  input: S;
  /** A richer schema to show clients where `input` deliberately checks less (a plan is checked by baton's own rules). */
  advertised?: z.ZodType;
  annotations: ToolAnnotations;
  run(args: z.output<S>, context: ToolContext): Promise<ToolAnswer>;
}

/** Keeps each tool's argument type while they share one list. */
export function defineTool<S extends z.ZodType>(tool: BatonTool<S>): BatonTool {
  return tool as unknown as BatonTool;
}
