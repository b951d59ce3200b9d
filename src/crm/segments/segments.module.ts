import { Module } from '@nestjs/common';
import { RecordsModule } from '../records/records.module';
import { Segment } from './segment.entity';
import { SegmentService } from './segment.service';
import { SegmentsController } from './segments.controller';

export const SEGMENTS_ENTITIES = [Segment];

/** Saved segments: shared filters whose members are a search over the records. */
@Module({
  imports: [RecordsModule],
  controllers: [SegmentsController],
  providers: [SegmentService],
})
export class SegmentsModule {}
