import { useQuery } from '@tanstack/react-query';
import { useApi } from './context';
import type { NodeTypeInfo } from './types';

/** The node-type catalogue, fetched once: it drives the palette and the param forms. */
export function useCatalogue() {
  const api = useApi();
  return useQuery({
    queryKey: ['node-types'],
    queryFn: async () => {
      const r = await api.sdk.nodeTypes();
      return Object.fromEntries(r.nodeTypes.map((t) => [t.type, t])) as Record<string, NodeTypeInfo>;
    },
    staleTime: Infinity,
  });
}
