import type { Command } from 'commander';
import { endSessionSignal } from '../../../workflows/definitions';
import { sessionWorkflowId } from '../../services/flows';
import { exitCodeFor } from '../../error-codes';
import { emit } from '../output';
import { flowBackend, withFlowService } from '../backends/flows';

type JsonOpt = { json?: boolean };

export function register(program: Command): void {
  const session = program.command('session').description('Long-lived conversations: each message runs the flow; history persists for months');

  session
    .command('send <sessionId> <message>')
    .description('Send a message to a session (started on first use) and print the reply (through the API when PAR_API_KEY is set)')
    .requiredOption('--flow <flowOrFile>', 'the flow that answers the session')
    .option('--tenant <tenant>', 'whose memories the session uses', process.env.PAR_TENANT)
    .option('--json', 'print JSON')
    .action(async (sessionId: string, message: string, opts: JsonOpt & { flow: string; tenant?: string }) => {
      const reply = await flowBackend().sendSessionMessage(sessionId, opts.flow, message, { tenant: opts.tenant });
      emit({ sessionId, ...reply }, opts, (r) => (r.status === 'failed' ? `turn ${r.turn} failed: ${r.error}` : r.responses.join('\n') || '(no response)'));
      // A failed turn exits as the PAR error behind it would (its code rides in the reply), else 1.
      if (reply.status === 'failed') process.exitCode = exitCodeFor(reply.code ?? 'run_failed');
    });

  session
    .command('show <sessionId>')
    .description('Print the conversation and the session variables')
    .option('--json', 'print JSON')
    .action(async (sessionId: string, opts: JsonOpt) => {
      const s = await flowBackend().readSession(sessionId);
      emit(s, opts, (d) =>
        [`session ${d.sessionId} (flow ${d.flowId}): ${d.turns} turns, continued as new ${d.generation} times${d.archived ? `, first ${d.archived} messages read from the session archive` : ''}`, ...d.messages.map((m) => `${m.role.padEnd(9)} ${m.content}`)].join('\n'),
      );
    });

  session
    .command('end <sessionId>')
    .description('End a session once its current turn finishes')
    .option('--json', 'print JSON')
    .action((sessionId: string, opts: JsonOpt) =>
      withFlowService(async (svc) => {
        await svc.client.workflow.getHandle(sessionWorkflowId(sessionId)).signal(endSessionSignal);
        emit({ sessionId, ended: true }, opts, () => `session ${sessionId} will end`);
      }),
    );
}
