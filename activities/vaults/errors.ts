import { ParError } from '../../workflows/errors';

/** A vault operation that cannot be done as asked; the message names the vault, item or field. */
export class VaultError extends ParError {
  override name = 'VaultError';
  constructor(
    message: string,
    readonly code:
      | 'bad_vault_name'
      | 'vault_not_found'
      | 'item_not_found'
      | 'empty_text'
      | 'bad_metadata'
      | 'bad_request'
      | 'bad_import'
      | 'model_mismatch',
  ) {
    super(message);
  }
}
