/** POST /ssh/update — change sshd settings; answers the changes and whether sshd must restart. */
import * as z from "zod/mini";
import { LOGIN_METHODS } from "#shared/db/ssh.ts";
import { gatewayIdField, schemas } from "#shared/domain/net-validation.ts";
import { updateSshSettings } from "#shared/domain/ssh.ts";
import { endpoint } from "#shared/http/endpoint.ts";

const count = (min: number, max: number) => z.number().check(z.int(), z.gte(min), z.lte(max));

/** A command name for the restricted shell's allow list: a word, no paths or shell syntax. */
const command = z
  .string()
  .check(z.regex(/^[A-Za-z0-9._+-]{1,64}$/, "must be a command name (letters, digits, . _ + -)"));
/** An absolute directory without `..`, spaces or quotes (it ends up in sshd and shell configuration). */
const directory = z.string().check(
  z.regex(/^\/[A-Za-z0-9._/-]{0,255}$/, "must be an absolute path of letters, digits, . _ / -"),
  z.refine((v) => !v.split("/").includes(".."), "may not contain '..'"),
);

const body = z.strictObject({
  enabled: z.optional(z.boolean()),
  port: z.optional(schemas.port),
  listen_address: z.optional(schemas.ip),
  login_method: z.optional(z.enum(LOGIN_METHODS)),
  password_authentication: z.optional(z.boolean()),
  restricted_shell: z.optional(z.boolean()),
  /** Minutes; 0 disables the idle timeout. */
  session_timeout: z.optional(count(0, 1440)),
  max_sessions_per_user: z.optional(count(1, 100)),
  max_auth_attempts: z.optional(count(1, 10)),
  banner_enabled: z.optional(z.boolean()),
  banner_message: z.optional(
    z
      .string()
      .check(z.maxLength(1024), z.regex(/^(?:\n|\P{Cc})*$/u, "may contain printable characters and newlines only")),
  ),
  allowed_commands: z.optional(z.array(command).check(z.maxLength(64))),
  allowed_directories: z.optional(z.array(directory).check(z.maxLength(32))),
  require_tty: z.optional(z.boolean()),
  compression: z.optional(z.boolean()),
  gateway_id: gatewayIdField.body,
});

export const handler = endpoint("POST /cloud-integration/security/ssh/update", { body }, async (req) => {
  const { gateway_id, ...patch } = req.body;
  const out = await updateSshSettings(
    { tenantId: req.principal.tenantId, gatewayId: gateway_id, by: req.principal.username },
    patch,
  );
  req.audit({ resource: "ssh/settings", details: { changes: out.changes, gateway_id } });
  return {
    status: "updated",
    message: Object.keys(out.changes).length ? "SSH settings updated successfully" : "SSH settings unchanged",
    restart_required: out.restart_required,
    changes: out.changes,
    requires_reload: out.requires_reload,
    config_version: out.config_version,
    sync: out.sync,
  };
});
