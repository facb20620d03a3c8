// The one place workflow code reads the time. Inside a workflow the Temporal SDK replaces Date
// with the start time of the current workflow task, recorded in history, so replay sees the
// same values; never use this outside workflow code.
export function workflowNowMs(): number {
  return Date.now();
}

export function workflowNowIso(): string {
  return new Date(workflowNowMs()).toISOString();
}
