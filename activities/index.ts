import * as hello from './hello';

/** Every activity the PAR worker registers, by name. */
export function createActivities() {
  return {
    ...hello,
  };
}

export type ParActivities = ReturnType<typeof createActivities>;
