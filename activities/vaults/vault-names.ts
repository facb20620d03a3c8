import { VaultError } from './errors';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const TENANT_PREFIX = 'vault:';

export function checkVaultName(name: unknown): string {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new VaultError(
      `vault name ${JSON.stringify(name)} is not valid: use 1-128 letters, digits, ".", "_" or "-", starting with a letter or digit`,
      'bad_vault_name',
    );
  }
  return name;
}

/** Vaults share the model's collection with other tenants (memory scopes...), so they are prefixed. */
export function vaultTenant(vault: string): string {
  return TENANT_PREFIX + vault;
}

export function vaultOfTenant(tenant: string): string | undefined {
  return tenant.startsWith(TENANT_PREFIX) ? tenant.slice(TENANT_PREFIX.length) : undefined;
}
