// The workflow bundle's entry point: every workflow type the PAR worker runs.
export { helloWorkflow } from './hello';
export { flowWorkflow } from './flow-workflow';
export { sessionWorkflow } from './session-workflow';
export { vaultIngestWorkflow } from './vault-ingest';
export { actScriptWorkflow } from './act-script';
export { memoryLearnWorkflow } from './memory-learn-workflow';
