import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { createActivities } from '../../activities';
import { createIntegrationActivities } from '../../activities/integrations/activities';
import { SecretStore } from '../../activities/integrations/secrets';
import { validateFlow } from '../../workflows/nodes/validate-flow';
import type { FlowNode } from '../../workflows/flow/types';
import { temporalTestContext, type TemporalTestContext } from '../helpers/temporal';
import { flowDef, startFlow } from '../helpers/flows';
import { exportedHistoryText } from './helpers/history-text';

const PASSWORD = 'smtp-pass-9d2k';
interface Received {
  from: string;
  to: string[];
  raw: string;
}
let ctx: TemporalTestContext;
let smtp: SMTPServer;
let port = 0;
const received: Received[] = [];
const authAttempts: { user?: string; ok: boolean }[] = [];
let flakyRcpt = 0;

beforeAll(async () => {
  // A real SMTP server (the smtp-server package): AUTH PLAIN/LOGIN over a local plain connection.
  smtp = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, cb) {
      const ok = auth.username === 'par' && auth.password === PASSWORD;
      authAttempts.push({ user: auth.username, ok });
      return ok ? cb(null, { user: auth.username }) : cb(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onRcptTo(address, _session, cb) {
      if (address.address === 'nobody@example.com') return cb(Object.assign(new Error('No such user'), { responseCode: 550 }));
      if (address.address === 'flaky@example.com' && ++flakyRcpt === 1) return cb(Object.assign(new Error('Try again later'), { responseCode: 451 }));
      cb();
    },
    onData(stream, session, cb) {
      let raw = '';
      stream.on('data', (d: Buffer) => (raw += d.toString()));
      stream.on('end', () => {
        received.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), raw });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  port = (smtp.server.address() as AddressInfo).port;
  ctx = await temporalTestContext('email-node');
  const smtpConfig = { host: '127.0.0.1', port, secure: false, user: 'par', passwordSecret: 'SMTP_PASSWORD', from: 'PAR <par@example.com>', timeoutMs: 10_000 };
  const base = createActivities();
  await ctx.startWorker({ activities: { ...base, ...createIntegrationActivities({ secrets: new SecretStore({ PAR_SECRET_SMTP_PASSWORD: PASSWORD }, '/nonexistent/secrets.json'), smtp: smtpConfig }) } });
  await ctx.startWorker({
    taskQueue: `${ctx.taskQueue}-wrongpass`,
    activities: { ...base, ...createIntegrationActivities({ secrets: new SecretStore({ PAR_SECRET_SMTP_PASSWORD: 'wrong-pass' }, '/nonexistent/secrets.json'), smtp: smtpConfig }) },
  });
});
afterAll(async () => {
  await ctx?.close();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

const mailFlow = (params: Record<string, unknown>, withError = false) =>
  flowDef(
    'mailer',
    [
      { id: 'start', type: 'start', outputs: { next: 'mail' } },
      { id: 'mail', type: 'email', params: { subject: 'Order {order}', body: 'Hello {name},\nyour order {order} shipped.', variable: 'sent', ...params } as FlowNode['params'], outputs: withError ? { error: 'failed' } : {} },
      ...(withError ? [{ id: 'failed', type: 'set_variable' as const, params: { name: 'failed', value: true } }] : []),
    ],
    { allowEmailDomains: ['example.com', 'boss@corp.test'], variables: { order: { type: 'string', default: 'A-17' }, name: { type: 'string', default: 'Ada' }, team: { type: 'array', default: ['ada@example.com', 'bob@example.com'] } } },
  );

test('an email to recipients from a variable, templated subject and body; the password never reaches history', async () => {
  const h = await startFlow(ctx.client, ctx.taskQueue, mailFlow({ to: '{team}', cc: ['boss@corp.test'] }));
  const r = await h.result();
  const mail = received.at(-1)!;
  expect(mail.to).toEqual(['ada@example.com', 'bob@example.com', 'boss@corp.test']);
  expect(mail.from).toBe('par@example.com');
  expect(mail.raw).toMatch(/^Subject: Order A-17$/m);
  expect(mail.raw).toContain('Hello Ada,\r\nyour order A-17 shipped.');
  const sent = r.variables.sent as { messageId: string; accepted: string[] };
  expect(mail.raw).toContain(`Message-ID: ${sent.messageId}`);
  expect(sent.accepted).toEqual(['ada@example.com', 'bob@example.com', 'boss@corp.test']);
  expect(authAttempts.at(-1)).toEqual({ user: 'par', ok: true });
  expect(await exportedHistoryText(h)).not.toContain(PASSWORD);
});

test('recipients outside allowEmailDomains: refused at validation when literal, when the node runs when from a variable', async () => {
  const issues = validateFlow(mailFlow({ to: ['ada@example.com', 'eve@evil.test'], cc: 'not-an-address' }));
  expect(issues.map((i) => `${i.field}: ${i.message}`)).toEqual([
    expect.stringMatching(/^params\.to\.1: "eve@evil\.test" is not in the flow's allowEmailDomains \(example\.com, boss@corp\.test\)/),
    'params.cc: "not-an-address" is not an email address',
  ]);
  const before = received.length;
  const def = { ...mailFlow({ to: '{team}' }, true) };
  def.variables = { ...def.variables, team: { type: 'array', default: ['ada@example.com', 'eve@evil.test'] } };
  const r = await (await startFlow(ctx.client, ctx.taskQueue, def)).result();
  expect(r.variables.failed).toBe(true);
  expect(r.trail.find((t) => t.node === 'mail')!.error).toMatch(/recipient "eve@evil\.test" is not in the flow's allowEmailDomains/);
  expect(received.length).toBe(before);
});

test('SMTP failures: a 451 is retried, a 550 and wrong credentials fail at once', async () => {
  const ok = await (await startFlow(ctx.client, ctx.taskQueue, mailFlow({ to: 'flaky@example.com' }))).result();
  expect((ok.variables.sent as { accepted: string[] }).accepted).toEqual(['flaky@example.com']);
  expect(flakyRcpt).toBe(2);

  const gone = await (await startFlow(ctx.client, ctx.taskQueue, mailFlow({ to: 'nobody@example.com' }, true))).result();
  expect(gone.trail.find((t) => t.node === 'mail')!.error).toMatch(/SMTP: .*550.*No such user/);

  const attempts = authAttempts.length;
  const h = await startFlow(ctx.client, `${ctx.taskQueue}-wrongpass`, mailFlow({ to: 'ada@example.com' }, true));
  const bad = await h.result();
  expect(bad.trail.find((t) => t.node === 'mail')!.error).toMatch(/SMTP: Invalid login.*check PAR_SMTP_USER and the password secret/);
  expect(authAttempts.length - attempts).toBe(1);
  expect(await exportedHistoryText(h)).not.toContain('wrong-pass');
});
