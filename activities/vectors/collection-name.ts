/**
 * One collection per embedding model: vectors of different models never share a space. `space`
 * names a kind of memory that keeps its own collection (`par_<space>__<model>__<dim>`); without
 * it the name is the vaults' (`par_<model>_<dim>`). Both formats are already stored: keep them.
 */
export function collectionName(model: string, dimension: number, space?: string): string {
  const slug = model.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  return space ? `par_${space}__${slug}__${dimension}` : `par_${slug}_${dimension}`;
}
