// Every object the API server returns has a name (and a namespaced one a namespace): the generated types leave them
// optional because request bodies may omit them. Read here once, instead of `metadata!.name!` wherever one is needed.
interface Named {
  metadata?: { name?: string; namespace?: string; uid?: string };
}

export const nameOf = (o: Named): string => o.metadata?.name ?? '';
export const namespaceOf = (o: Named): string => o.metadata?.namespace ?? '';
export const uidOf = (o: Named): string => o.metadata?.uid ?? '';
