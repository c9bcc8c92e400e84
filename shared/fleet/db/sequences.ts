/**
 * The fleet's per-tenant id sequences (counter items written by table/repo.ts `nextId`):
 *
 *   T#<tenant> / COUNTER#gateway         gateway ids
 *   T#<tenant> / COUNTER#firewall-rule   firewall rule ids, unique across the tenant-wide
 *                                        document and every gateway's overrides
 *
 * Access pattern: take the next id (one atomic UpdateItem).
 */
import { nextId } from "#shared/table/repo.ts";

export function nextGatewayId(tenantId: string): Promise<number> {
  return nextId(tenantId, "gateway");
}

export function nextFirewallRuleId(tenantId: string): Promise<number> {
  return nextId(tenantId, "firewall-rule");
}
