import { fileKeyHolder, type DataSubject } from '@custos/crypto';

/** `purpose` of the sealed package files (bound, with the package id, into each frame). */
export const PACKAGE_PURPOSE = 'privacy_package';

/** Where a package's file is kept in the file store. */
export function packageFileKey(accountId: string, packageId: string): string {
  return `privacy-packages/${accountId}/${packageId}`;
}

/**
 * Whose key seals a package's file: the file's own. The subject's erasure destroys it, so every
 * copy of the package (a copy of the store, a backup) stops opening.
 */
export function packageFileHolder(packageId: string): DataSubject {
  return fileKeyHolder(PACKAGE_PURPOSE, packageId);
}

/** Where a package's file is bound, sealed under its own key. */
export function packageFilePlace(packageId: string) {
  return { purpose: PACKAGE_PURPOSE, id: packageId, holder: packageFileHolder(packageId) };
}
