// The contract of the notify activity: what BATON_NOTIFY_CMD is told. Types only.

/** What BATON_NOTIFY_CMD receives on stdin (as JSON) when a run starts waiting on a person. */
export interface WaitingEvent {
  event: 'waiting';
  runId: string;
  name: string;
  phase: string;
  /** What is newly waited on, one line each, naming the command that answers. */
  waitingOn: string[];
}
