// `{secret:NAME}` references in params. The workflow never sees a secret's value: it renders the
// text around a reference and passes the reference itself to the activity, which resolves it
// (activities/integrations/secrets.ts). Pure code: workflows and validation import it.
import type { SecretText } from '../../activities/integrations/contracts';
import { renderTemplate } from './templates';
import type { JsonValue } from './types';

/** `{secret:NAME}`; anything between `{secret:` and `}` is checked against SECRET_NAME. */
const SECRET_TOKEN = /\{secret:([^{}]*)\}/g;
export const SECRET_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

/** The secret names a text references, and the malformed references it holds. */
export function secretReferences(text: string): { names: string[]; problems: string[] } {
  const names: string[] = [];
  const problems: string[] = [];
  for (const m of text.matchAll(SECRET_TOKEN)) {
    if (SECRET_NAME.test(m[1])) names.push(m[1]);
    else problems.push(`"${m[0]}" is not a secret reference: use {secret:NAME} with a name of letters, digits and _ starting with a letter`);
  }
  return { names, problems };
}

export function hasSecretReference(text: string): boolean {
  return /\{secret:/.test(text);
}

/** The text with its secret references removed, for checking the rest as a template. */
export function withoutSecrets(text: string): string {
  return text.replace(SECRET_TOKEN, '');
}

/**
 * Renders the template parts of a text and keeps each secret reference as a reference. A
 * variable's value is always text here, so a value that looks like `{secret:X}` stays literal.
 */
export function renderSecretText(text: string, vars: Record<string, JsonValue>): SecretText {
  const parts: SecretText = [];
  let at = 0;
  for (const m of text.matchAll(SECRET_TOKEN)) {
    if (m.index! > at) parts.push(renderTemplate(text.slice(at, m.index), vars));
    parts.push({ secret: m[1] });
    at = m.index! + m[0].length;
  }
  if (at < text.length) parts.push(renderTemplate(text.slice(at), vars));
  return parts;
}
