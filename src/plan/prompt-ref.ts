// Large prompts travel by reference: the plan in Temporal's history carries a pointer to a file or an object of the
// artifact store (Temporal refuses payloads over 2 MB), and the agent activity reads it. Pure.

const PREFIX = 'baton:prompt-file:';

export function promptRef(ref: string): string {
  return `${PREFIX}${ref}`;
}

/** The ref (a path, or s3://…) a prompt points at, or null for an ordinary prompt. */
export function promptFileOf(prompt: string): string | null {
  return prompt.startsWith(PREFIX) ? prompt.slice(PREFIX.length) : null;
}
