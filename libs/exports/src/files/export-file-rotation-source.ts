import { Injectable, Optional, type OnModuleInit } from '@nestjs/common';
import { KeyRotationRegistry, SealedFileRotationSource } from '@custos/crypto';
import { DataExport } from '../export.entity';
import { ExportFiles } from './export-files';

/**
 * Sealed export files on older data-key versions, sealed again with the active key, as attachments
 * are: resealing (rather than keeping an old key while an unexpired file uses it) lets an old key be
 * retired as soon as a rotation completes, whatever the files' lifetime, and costs one pass over
 * the few sealed files that are downloadable (`done`). The row lock keeps the sweep from expiring
 * a file meanwhile and leaving a resealed file behind.
 */
@Injectable()
export class ExportFileRotationSource
  extends SealedFileRotationSource<DataExport>
  implements OnModuleInit
{
  constructor(
    files: ExportFiles,
    // Absent when the host has no key rotation: then there is nothing to take part in.
    @Optional() private readonly registry?: KeyRotationRegistry,
  ) {
    super({
      name: 'custos_export',
      entity: DataExport,
      label: 'Export file',
      sealed: { where: "f.state = 'done' AND f.keyVersion IS NOT NULL" },
      reseal: (cipher, entity) => files.reseal(cipher, entity.id),
    });
  }

  onModuleInit(): void {
    this.registry?.addSource(this);
  }
}
