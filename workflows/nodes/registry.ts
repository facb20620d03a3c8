import type { NodeType } from '../flow/types';
import { actNode } from './act';
import { addToVaultNode } from './add-to-vault';
import { approvalNode } from './approval';
import { captureNode } from './capture';
import { chooseNode } from './choose';
import { endNode } from './end';
import { generateNode } from './generate';
import { emailNode } from './email';
import { httpNode } from './http';
import { mcpNode } from './mcp';
import { webSearchNode } from './web-search';
import { ifNode } from './if-then';
import { noResponseNode } from './no-response';
import type { NodeSpec } from './node-spec';
import { numberNode } from './number';
import { parallelNode } from './parallel';
import { recognizeNode } from './recognize';
import { respondNode } from './respond';
import { retrieveNode } from './retrieve';
import { runFlowNode } from './run-flow';
import { setVariableNode } from './set-variable';
import { startNode } from './start';
import { storeNode } from './store';
import { waitNode } from './wait';

/** Every node kind the interpreter knows, by type. */
export const NODE_SPECS: Record<NodeType, NodeSpec> = {
  start: startNode,
  respond: respondNode,
  generate: generateNode,
  recognize: recognizeNode,
  choose: chooseNode,
  number: numberNode,
  capture: captureNode,
  set_variable: setVariableNode,
  if: ifNode,
  retrieve: retrieveNode,
  store: storeNode,
  add_to_vault: addToVaultNode,
  wait: waitNode,
  approval: approvalNode,
  run_flow: runFlowNode,
  parallel: parallelNode,
  act: actNode,
  end: endNode,
  no_response: noResponseNode,
  http: httpNode,
  web_search: webSearchNode,
  email: emailNode,
  mcp: mcpNode,
};
