// Large prompts travel by reference: the plan in Temporal's history carries a pointer to a file
// (Temporal refuses payloads over 2 MB), and the agent activity reads the file. Pure.

const PREFIX = 'baton:prompt-file:';

export function promptRef(file: string): string {
  return `${PREFIX}${file}`;
}

/** The file a prompt points at, or null for an ordinary prompt. */
export function promptFileOf(prompt: string): string | null {
  return prompt.startsWith(PREFIX) ? prompt.slice(PREFIX.length) : null;
}
