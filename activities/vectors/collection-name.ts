/** One collection per embedding model: vectors of different models never share a space. */
export function collectionName(model: string, dimension: number): string {
  const slug = model.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  return `par_${slug}_${dimension}`;
}
