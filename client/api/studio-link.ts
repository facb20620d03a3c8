import { databaseTarget } from '../../activities/db';
import type { ParConfig } from '../../workers/config';
import { StudioSignins } from './auth/studio-signin';
import { STUDIO_PATH } from './studio-static';

/** The studio's address, and a one-time sign-in link for a new local admin key (unless the API checks no keys). */
export async function studioLinks(config: ParConfig, insecureLocal: boolean): Promise<{ studio: string; signin?: string; expiresAt?: string }> {
  const studio = `${config.apiUrl}${STUDIO_PATH}`;
  if (insecureLocal) return { studio };
  const signins = await StudioSignins.open(databaseTarget('keys', { ...process.env, PAR_DATA_DIR: config.dataDir }));
  try {
    const { token, expiresAt } = await signins.issue();
    return { studio, signin: `${studio}/#signin=${token}`, expiresAt };
  } finally {
    await signins.close();
  }
}

/** The lines `npm start` prints for the studio. */
export async function studioStartLines(config: ParConfig, insecureLocal: boolean): Promise<string[]> {
  const links = await studioLinks(config, insecureLocal);
  return [
    `  Studio    ${links.studio}`,
    ...(links.signin ? [`            sign in (once, within 15 min, as a new local admin key): ${links.signin}`] : []),
  ];
}
