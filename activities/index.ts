import * as hello from './hello';
import { createMemoryActivities } from './memory/activities';
import { createModelActivities } from './models/activities';
import { createVaultActivities } from './vaults/activities';
import { createActActivities } from './act/activities';

/** Every activity the PAR worker registers, by name. */
export function createActivities() {
  return {
    ...hello,
    ...createModelActivities(),
    ...createVaultActivities(),
    ...createMemoryActivities(),
    ...createActActivities(),
  };
}

export type ParActivities = ReturnType<typeof createActivities>;
