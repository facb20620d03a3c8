import * as hello from './hello';
import { createMemoryActivities } from './memory/activities';
import { createModelActivities } from './models/activities';
import { createVaultActivities } from './vaults/activities';

/** Every activity the PAR worker registers, by name. */
export function createActivities() {
  return {
    ...hello,
    ...createModelActivities(),
    ...createVaultActivities(),
    ...createMemoryActivities(),
  };
}

export type ParActivities = ReturnType<typeof createActivities>;
