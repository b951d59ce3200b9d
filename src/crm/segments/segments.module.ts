import { Module } from '@nestjs/common';
import { RecordsModule } from '../records';
import { SearchModule } from '../search';
import { Segment } from './segment.entity';
import { SegmentService } from './segment.service';
import { SegmentsController } from './segments.controller';
import { SensitiveDefinitionsSweep } from './sensitive-definitions.sweep';

export const SEGMENTS_ENTITIES = [Segment];

/**
 * Saved segments: shared filters whose members are a search over the records; at start, the sweep
 * of definitions saved before sensitive values were kept out of them.
 */
@Module({
  imports: [RecordsModule, SearchModule],
  controllers: [SegmentsController],
  providers: [SegmentService, SensitiveDefinitionsSweep],
  exports: [SegmentService],
})
export class SegmentsModule {}
