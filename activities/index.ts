import * as hello from './hello';
import { createModelActivities } from './models/activities';

/** Every activity the PAR worker registers, by name. */
export function createActivities() {
  return {
    ...hello,
    ...createModelActivities(),
  };
}

export type ParActivities = ReturnType<typeof createActivities>;
