// The workflow bundle's entry point: every workflow type the PAR worker runs.
export { helloWorkflow } from './hello';
export { vaultIngestWorkflow } from './vault-ingest';
