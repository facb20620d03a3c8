import { ParError } from '../../workflows/errors';

/** Typed failures of a vector store, each naming the collection, tenant or field at fault. */
export class VectorStoreError extends ParError {
  override name = 'VectorStoreError';
  /** Only the store itself failing ('backend') may pass; the other codes are bad input. */
  override readonly retryable: boolean;
  constructor(
    message: string,
    readonly code: 'dimension_mismatch' | 'unknown_collection' | 'bad_filter' | 'bad_query' | 'bad_record' | 'backend',
  ) {
    super(message);
    this.retryable = code === 'backend';
  }
}
