/**
 * Saved segments: shared filters over the records.
 * Other folders import this folder only through this file (eslint/dependency-rule.mjs).
 */
export { SegmentService } from './segment.service';
export { SEGMENTS_ENTITIES, SegmentsModule } from './segments.module';
