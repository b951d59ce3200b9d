import { Injectable, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { EXPORT_SOURCES, type ExportSource } from './export-source';
import { ExportErrors } from './exports.errors';

/**
 * The host's export sources by name: its `EXPORT_SOURCES` provider, in whichever module it lives
 * (looked up, not imported); none when the host provides none.
 */
@Injectable()
export class ExportSources implements OnModuleInit {
  private byName: ReadonlyMap<string, ExportSource> = new Map();

  constructor(private readonly moduleRef: ModuleRef) {}

  onModuleInit(): void {
    let sources: ExportSource[] = [];
    try {
      sources = this.moduleRef.get<ExportSource[]>(EXPORT_SOURCES, { strict: false });
    } catch {
      // No sources: every request is refused naming `source`.
    }
    this.byName = new Map(sources.map((source) => [source.name, source]));
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
