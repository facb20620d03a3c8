import type { ParConfig } from '../../workers/config';
import { apiKeysPath } from './auth/key-store';
import { StudioSignins } from './auth/studio-signin';
import { STUDIO_PATH } from './studio-static';

/** The studio's address, and a one-time sign-in link for a new local admin key (unless the API checks no keys). */
export function studioLinks(config: ParConfig, insecureLocal: boolean): { studio: string; signin?: string; expiresAt?: string } {
  const studio = `${config.apiUrl}${STUDIO_PATH}`;
  if (insecureLocal) return { studio };
  const signins = new StudioSignins(apiKeysPath(config.dataDir));
  try {
    const { token, expiresAt } = signins.issue();
    return { studio, signin: `${studio}/#signin=${token}`, expiresAt };
  } finally {
    signins.close();
  }
}

/** The lines `npm start` prints for the studio. */
export function studioStartLines(config: ParConfig, insecureLocal: boolean): string[] {
  const links = studioLinks(config, insecureLocal);
  return [
    `  Studio    ${links.studio}`,
    ...(links.signin ? [`            sign in (once, within 15 min, as a new local admin key): ${links.signin}`] : []),
  ];
}
