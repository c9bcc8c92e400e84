/**
 * The global partitions a tenant request maintains together with the tenant's own items, in the
 * same transaction (so they cannot move to the own role without handing it the tenant's items
 * too). Each item holds a pointer to its tenant and nothing else; the repositories create them
 * conditionally (only if absent). IAM cannot fence them by tenant (their keys do not name one), so
 * a tenant session could overwrite or delete another tenant's pointer: a denial of service on that
 * name or key, never a read of the other tenant's data. The partitions:
 *   - `G#LOGIN#<name>`: login names are unique across tenants (users are created, renamed, deleted);
 *   - `G#APIKEY#<hash>`: an API key's hash finds its tenant before the tenant is known (keys are
 *     created, rotated, revoked);
 *   - `G#STRIPE#CUS#<id>`: Stripe's webhook names a customer, never a tenant (checkout attaches one);
 *   - `G#GRC#EVIDENCE-TENANTS`: the evidence collector's list of tenants to visit.
 * Point operations only: no Query, so no tenant session can list them.
 */
export const GLOBAL_GUARD_PARTITIONS = ["G#LOGIN#*", "G#APIKEY#*", "G#STRIPE#CUS#*", "G#GRC#EVIDENCE-TENANTS"];
