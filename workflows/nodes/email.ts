import { recipientAllowed, recipientList, validAddress } from '../../activities/integrations/recipients';
import { emailActivities } from '../flow/integration-activities';
import type { ParamReader } from '../flow/params';
import type { FlowDefinition, JsonValue } from '../flow/types';
import { next, type NodeSpec } from './node-spec';
import { variableParam } from './param-specs';
import { noSecrets } from './outside-world';

export function allowEmailDomainsOf(flow: FlowDefinition | undefined): string[] {
  return Array.isArray(flow?.allowEmailDomains) ? flow.allowEmailDomains.filter((d): d is string => typeof d === 'string') : [];
}

/** Reads `to` / `cc`: a text or a list of texts, each an address or a template; checks literal ones. */
function recipientsShape(p: ParamReader, name: string, flow: FlowDefinition | undefined, required: boolean): Record<string, string> {
  const raw = p.raw(name);
  const templates: Record<string, string> = {};
  if (raw === undefined) {
    if (required) p.report(`params.${name}`, 'is required: an address, a {variable}, or a list of them');
    return templates;
  }
  const items = Array.isArray(raw) ? raw : [raw];
  if (items.length === 0 && required) p.report(`params.${name}`, 'must not be empty');
  const allow = allowEmailDomainsOf(flow);
  items.forEach((item, i) => {
    const field = Array.isArray(raw) ? `params.${name}.${i}` : `params.${name}`;
    if (typeof item !== 'string') return p.report(field, `must be an address or a template, got ${JSON.stringify(item)}`);
    noSecrets(p, field, item);
    templates[field] = item;
    if (item.includes('{')) return; // from a variable: checked when the node runs
    for (const address of recipientList(item)) {
      if (!validAddress(address)) p.report(field, `"${address}" is not an email address`);
      else if (!recipientAllowed(address, allow)) p.report(field, `"${address}" is not in the flow's allowEmailDomains (${allow.join(', ') || 'none: add allowEmailDomains to the flow'})`);
    }
  });
  return templates;
}

function render(engine: Parameters<NodeSpec['run']>[2], raw: JsonValue | undefined): string[] {
  if (raw === undefined || raw === null) return [];
  return recipientList(engine.renderValue(raw));
}

/**
 * Sends an email through the worker's SMTP server (PAR_SMTP_*; the password is a named secret).
 * Recipients may come from variables; every one must be in the flow's allowEmailDomains.
 */
export const emailNode: NodeSpec = {
  type: 'email',
  title: 'Email',
  category: 'integration',
  description: "Sends an email through the worker's SMTP server to recipients in the flow's allowEmailDomains.",
  params: [
    { name: 'to', kind: 'list', required: true, description: 'addresses or templates such as {customer_email} (a variable may hold a list); one text also works', example: ['ada@example.com'] },
    { name: 'cc', kind: 'list', description: 'copy recipients, as for to', example: ['{greeting}'] },
    { name: 'subject', kind: 'template', required: true, description: 'subject line', example: 'Your refund of {amount}' },
    { name: 'body', kind: 'template', required: true, description: 'plain-text body', example: 'Hello,\nwe refunded {amount}.' },
    { name: 'from', kind: 'template', description: 'sender; PAR_SMTP_FROM when absent', example: 'support@example.com' },
    variableParam('variable the result {messageId, accepted, rejected} is written to'),
  ],
  outputs: { names: ['next'] },
  shape(p, flow) {
    const to = recipientsShape(p, 'to', flow, true);
    const cc = recipientsShape(p, 'cc', flow, false);
    const subject = p.str('subject', { required: true });
    const body = p.str('body', { required: true });
    const from = p.str('from');
    for (const [field, text] of [['params.subject', subject], ['params.body', body], ['params.from', from]] as const) noSecrets(p, field, text);
    if (from !== undefined && !from.includes('{') && !validAddress(from.replace(/^.*<([^>]+)>\s*$/, '$1'))) p.report('params.from', `"${from}" is not an email address`);
    const variable = p.str('variable');
    return { outputs: ['next'], writes: variable ? [variable] : [], templates: { ...to, ...cc, 'params.subject': subject, 'params.body': body, 'params.from': from } };
  },
  async run(node, p, engine) {
    const to = render(engine, p.raw('to'));
    const cc = render(engine, p.raw('cc'));
    const allowDomains = allowEmailDomainsOf(engine.definition);
    for (const r of [...to, ...cc]) {
      if (!validAddress(r)) throw new Error(`recipient "${r}" is not an email address`);
      if (!recipientAllowed(r, allowDomains)) throw new Error(`recipient "${r}" is not in the flow's allowEmailDomains (${allowDomains.join(', ') || 'none'})`);
    }
    if (to.length === 0) throw new Error('no recipient: "to" rendered empty');
    const from = p.str('from');
    const result = await emailActivities().emailSend({
      to,
      cc: cc.length ? cc : undefined,
      subject: engine.render(p.str('subject')!),
      text: engine.render(p.str('body')!),
      from: from ? engine.render(from) : undefined,
      allowDomains,
      messageId: `<${engine.childId(node).replace(/[^A-Za-z0-9._-]/g, '.')}@par.local>`,
    });
    const variable = p.str('variable');
    if (variable) engine.setVariable(variable, { messageId: result.messageId, accepted: result.accepted, rejected: result.rejected });
    engine.detail({ accepted: result.accepted.length, rejected: result.rejected.length });
    return next();
  },
};
