import { Injectable } from '@nestjs/common';
import { SubjectKeyRotationSource } from '../subjects/subject-key-rotation-source';
import type { KeyRotationListener, RotationSource } from './rotation-source';

/**
 * Where the host registers the places its encrypted values live and who to tell about
 * rotations. Register from `onModuleInit` of a provider, before the application bootstraps
 * (when the worker resumes unfinished rotations):
 *
 * ```ts
 * constructor(private readonly rotation: KeyRotationRegistry) {}
 * onModuleInit() { this.rotation.addSource(this); }
 * ```
 *
 * The lib's own table of data subjects' keys (`crypto_subject_key`) is registered already: a
 * rotation wraps those keys again rather than re-encrypting the values they sealed.
 */
@Injectable()
export class KeyRotationRegistry {
  private readonly byName = new Map<string, RotationSource>();
  private readonly registeredListeners: KeyRotationListener[] = [];

  constructor() {
    this.addSource(new SubjectKeyRotationSource());
  }

  addSource(source: RotationSource): void {
    if (this.byName.has(source.name)) {
      throw new Error(
        `A rotation source named "${source.name}" is already registered: give each source a unique name.`,
      );
    }
    this.byName.set(source.name, source);
  }

  addListener(listener: KeyRotationListener): void {
    this.registeredListeners.push(listener);
  }

  /** The sources in the order a rotation walks them: by name, so a stored position stays meaningful across restarts. */
  get sources(): RotationSource[] {
    return [...this.byName.values()].sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
  }

  get listeners(): readonly KeyRotationListener[] {
    return this.registeredListeners;
  }
}
