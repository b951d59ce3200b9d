import { Injectable, Optional, Inject } from '@nestjs/common';
import { EXPORT_SOURCES, type ExportSource } from './export-source';
import { ExportErrors } from './exports.errors';

/** The host's export sources by name (`EXPORT_SOURCES`; none when the host provides none). */
@Injectable()
export class ExportSources {
  private readonly byName: ReadonlyMap<string, ExportSource>;

  constructor(@Optional() @Inject(EXPORT_SOURCES) sources: ExportSource[] | null) {
    this.byName = new Map((sources ?? []).map((source) => [source.name, source]));
  }

  /** The source named `name`, or a 422 naming `source`. */
  get(name: string): ExportSource {
    const source = this.byName.get(name);
    if (!source) {
      throw ExportErrors.unknownSource([...this.byName.keys()]);
    }
    return source;
  }
}
