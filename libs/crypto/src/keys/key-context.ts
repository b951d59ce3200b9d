/** What a wrapped key is bound to (authenticated by the key provider): account, purpose, version. */
export function contextOf(accountId: string, purpose: 'data' | 'index', version: number): string {
  return `custos/${accountId}/${purpose}/${version}`;
}
