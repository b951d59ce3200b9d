import { Column, type ValueTransformer } from 'typeorm';

/** PostgreSQL returns `bigint` as a string; seqs stay far below 2^53, so numbers are exact. */
const bigintTransformer: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => (value === null ? null : Number(value)),
};

/** A per-account sequence number: `bigint` on both drivers, a `number` in TypeScript. */
export function SequenceColumn(name: string): PropertyDecorator {
  return Column({ name, type: 'bigint', transformer: bigintTransformer });
}
