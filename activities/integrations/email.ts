import nodemailer from 'nodemailer';
import type { EmailRequest, EmailResult } from './contracts';
import { IntegrationError } from './errors';
import type { SecretScope } from './secrets';
import { recipientAllowed } from './recipients';

/** SMTP settings of the worker (PAR_SMTP_*); the password is a named secret. */
export interface SmtpConfig {
  host: string;
  port: number;
  /** Implicit TLS (port 465); otherwise STARTTLS when the server offers it. */
  secure: boolean;
  user?: string;
  /** Name of the secret holding the password. */
  passwordSecret: string;
  from?: string;
  timeoutMs: number;
}

export function smtpConfigFromEnv(env: NodeJS.ProcessEnv): SmtpConfig {
  if (!env.PAR_SMTP_HOST) throw new IntegrationError('not_configured', 'email needs an SMTP server: set PAR_SMTP_HOST (and PAR_SMTP_PORT, PAR_SMTP_USER, PAR_SMTP_FROM) in the worker environment');
  const port = Number(env.PAR_SMTP_PORT || (env.PAR_SMTP_SECURE === 'true' ? 465 : 587));
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new IntegrationError('not_configured', `PAR_SMTP_PORT=${env.PAR_SMTP_PORT} is not a port number`);
  return {
    host: env.PAR_SMTP_HOST,
    port,
    secure: env.PAR_SMTP_SECURE === 'true',
    user: env.PAR_SMTP_USER || undefined,
    passwordSecret: env.PAR_SMTP_PASSWORD_SECRET || 'SMTP_PASSWORD',
    from: env.PAR_SMTP_FROM || undefined,
    timeoutMs: Number(env.PAR_SMTP_TIMEOUT_MS) || 30_000,
  };
}

interface SmtpError extends Error {
  code?: string;
  responseCode?: number;
  permanent?: boolean;
  rejected?: string[];
}

/** Permanent replies (5xx), bad credentials and bad envelopes are final; 4xx replies and the network may pass later. */
function translate(err: SmtpError, scope: SecretScope): IntegrationError {
  const message = scope.redact(`SMTP: ${err.message}`);
  if (err.code === 'EAUTH') return new IntegrationError('smtp', `${message} (check PAR_SMTP_USER and the password secret)`);
  if (err.responseCode && err.responseCode >= 500) return new IntegrationError('smtp', message, { status: err.responseCode });
  if (err.responseCode && err.responseCode >= 400) return new IntegrationError('smtp', message, { retryable: true, status: err.responseCode });
  if (err.code === 'EENVELOPE' || err.code === 'EMESSAGE' || err.code === 'EADDRESS') return new IntegrationError('smtp', message, { status: err.responseCode });
  return new IntegrationError('smtp', message, { retryable: true, status: err.responseCode });
}

/** Sends one message through the worker's SMTP server, refusing recipients outside the allow-list. */
export async function sendEmail(req: EmailRequest, config: SmtpConfig, scope: SecretScope): Promise<EmailResult> {
  const recipients = [...req.to, ...(req.cc ?? [])];
  if (req.to.length === 0) throw new IntegrationError('bad_request', 'an email needs at least one recipient in "to"');
  for (const r of recipients) {
    if (!recipientAllowed(r, req.allowDomains)) throw new IntegrationError('recipient_not_allowed', `recipient "${r}" is not in the flow's allowEmailDomains (${req.allowDomains.join(', ') || 'none'})`);
  }
  const from = req.from ?? config.from;
  if (!from) throw new IntegrationError('not_configured', 'an email needs a sender: set PAR_SMTP_FROM on the worker or the node\'s "from"');
  const pass = config.user ? scope.resolve([{ secret: config.passwordSecret }]) : undefined;
  const transport = nodemailer.createTransport({
    host: config.host,
    port: config.port,
    secure: config.secure,
    auth: config.user ? { user: config.user, pass } : undefined,
    connectionTimeout: config.timeoutMs,
    greetingTimeout: config.timeoutMs,
    socketTimeout: config.timeoutMs,
  });
  try {
    const info = await transport.sendMail({ from, to: req.to, cc: req.cc, subject: req.subject, text: req.text, messageId: req.messageId });
    return { messageId: info.messageId, accepted: (info.accepted ?? []).map(String), rejected: (info.rejected ?? []).map(String) };
  } catch (err) {
    throw translate(err as SmtpError, scope);
  } finally {
    transport.close();
  }
}
