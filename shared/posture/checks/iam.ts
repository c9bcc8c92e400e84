/** IAM: the root user, the password policy, users' credentials, and administrator grants. */
import {
  type AccessKey,
  type CredentialReportRow,
  GLOBAL_REGION,
  type IamUser,
  type Inventory,
  type ManagedPolicy,
  type PolicyDocument,
} from "../inventory.ts";
import { daysSince, reportDate } from "./dates.ts";
import { allowsFullAdmin } from "./policy.ts";
import { accountArn } from "./resource-ids.ts";
import type { CheckDefinition, Result } from "./types.ts";

/** CIS 1.14 and FSBP IAM.3: access keys are rotated at least every 90 days. */
const KEY_MAX_AGE_DAYS = 90;
/** CIS 1.12: credentials unused for 45 days or more are disabled. */
const UNUSED_DAYS = 45;
/** Any root sign-in or key use inside this window is reported (Prowler's window as well). */
const ROOT_RECENT_USE_DAYS = 1;
const ROOT_ROW = "<root_account>";
const PASSWORD_POLICY_URL =
  "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_account-policy.html";
const ROOT_URL = "https://docs.aws.amazon.com/IAM/latest/UserGuide/root-user-best-practices.html";

function rootRow(inv: Inventory): CredentialReportRow | undefined {
  return inv.account.CredentialReport.find((r) => r.user === ROOT_ROW);
}

function rootResult(inv: Inventory, status: Result["status"], details: string): Result[] {
  return [{ status, resourceId: "root", resourceArn: accountArn(inv), region: GLOBAL_REGION, details }];
}

/** Root's MFA from the credential report, else the account summary; undefined when neither was collected. */
function rootMfaActive(inv: Inventory): boolean | undefined {
  const row = rootRow(inv);
  if (row?.mfa_active !== undefined) return row.mfa_active === "true";
  const summary = inv.iam.AccountSummary?.AccountMFAEnabled;
  return summary === undefined ? undefined : summary === 1;
}

/** Whether root has an active access key, read like `rootMfaActive`. */
function rootAccessKeyActive(inv: Inventory): boolean | undefined {
  const row = rootRow(inv);
  if (row) return row.access_key_1_active === "true" || row.access_key_2_active === "true";
  const summary = inv.iam.AccountSummary?.AccountAccessKeysPresent;
  return summary === undefined ? undefined : summary > 0;
}

/** The verdict on a root fact read by `rootMfaActive` or `rootAccessKeyActive`: MANUAL when neither source was collected. */
function judgeRootFact(
  inv: Inventory,
  fact: boolean | undefined,
  verdict: (fact: boolean) => readonly [Result["status"], string],
): Result[] {
  if (fact === undefined) {
    return rootResult(inv, "MANUAL", "Neither the credential report nor the account summary was collected.");
  }
  return rootResult(inv, ...verdict(fact));
}

function passwordPolicyCheck(
  id: string,
  title: string,
  severity: CheckDefinition["severity"],
  cis: string[],
  csf: string[],
  rule: { meets: (p: NonNullable<Inventory["account"]["PasswordPolicy"]>) => boolean; wants: string },
  cli: string,
): CheckDefinition {
  return {
    id,
    title,
    service: "iam",
    severity,
    resourceType: "AwsAccount",
    categories: ["identity-access"],
    risk: "Weak or reused passwords make IAM users easy to take over by guessing or by replaying leaked credentials.",
    remediation: {
      cli,
      console: "IAM > Account settings > Password policy > Edit: set the rule and save.",
      url: PASSWORD_POLICY_URL,
    },
    frameworks: {
      "cis-aws-foundations-v3.0": cis,
      "aws-fsbp": ["IAM.7", "IAM.10"],
      "nist-csf-2.0": csf,
      "iso-27001-2022": ["A.5.15"],
    },
    evaluate: (inv) => {
      const policy = inv.account.PasswordPolicy;
      const ok = policy !== null && rule.meets(policy);
      return [
        {
          status: ok ? "PASS" : "FAIL",
          resourceId: inv.account.AccountId,
          resourceArn: accountArn(inv),
          region: GLOBAL_REGION,
          details:
            policy === null
              ? "The account has no password policy."
              : `The password policy ${ok ? "requires" : "does not require"} ${rule.wants}.`,
        },
      ];
    },
  };
}

const PASSWORD_CSF = ["GV.OC-02", "PR.AA-01", "PR.AA-02", "PR.AA-03"];

function isActive(key: AccessKey): boolean {
  return key.Status === "Active";
}

function perUser(inv: Inventory, judge: (user: IamUser) => Pick<Result, "status" | "details">): Result[] {
  return inv.iam.UserDetailList.map((user) => ({
    ...judge(user),
    resourceId: user.UserName,
    resourceArn: user.Arn,
    region: GLOBAL_REGION,
  }));
}

/** One result per access key: an inactive key passes (nobody can use it); `judge` decides for the active ones. */
function perActiveAccessKey(
  inv: Inventory,
  judge: (key: AccessKey, user: IamUser, now: number) => Pick<Result, "status" | "details">,
): Result[] {
  const now = Date.parse(inv.collectedAt);
  const inactive = (key: AccessKey, user: IamUser): Pick<Result, "status" | "details"> => ({
    status: "PASS",
    details: `Key ${key.AccessKeyId} of ${user.UserName} is inactive.`,
  });
  return inv.iam.UserDetailList.flatMap((user) =>
    user.AccessKeys.map((key) => ({
      ...(isActive(key) ? judge(key, user, now) : inactive(key, user)),
      resourceId: key.AccessKeyId,
      resourceArn: user.Arn,
      region: GLOBAL_REGION,
    })),
  );
}

function defaultDocument(policy: ManagedPolicy): PolicyDocument | undefined {
  return (
    policy.PolicyVersionList.find((v) => v.IsDefaultVersion) ??
    policy.PolicyVersionList.find((v) => v.VersionId === policy.DefaultVersionId)
  )?.Document;
}

function isAwsManaged(arn: string): boolean {
  return /^arn:[^:]+:iam::aws:policy\//.test(arn);
}

/** Every inline policy, with the user, group or role that holds it. */
function inlinePolicies(inv: Inventory) {
  const { iam } = inv;
  return [
    ...iam.UserDetailList.flatMap((u) => u.UserPolicyList.map((p) => ({ owner: u.Arn, ...p }))),
    ...iam.GroupDetailList.flatMap((g) => g.GroupPolicyList.map((p) => ({ owner: g.Arn, ...p }))),
    ...iam.RoleDetailList.flatMap((r) => r.RolePolicyList.map((p) => ({ owner: r.Arn, ...p }))),
  ];
}

const ADMIN_REMEDIATION = {
  console:
    'IAM > Policies (or the principal\'s Permissions tab): replace Action "*" on Resource "*" with the actions and resources the principal needs.',
  url: "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html",
};

export const iamChecks: CheckDefinition[] = [
  {
    id: "iam_root_mfa_enabled",
    title: "Root user signs in with MFA",
    service: "iam",
    severity: "critical",
    resourceType: "AwsAccount",
    categories: ["identity-access"],
    risk: "The root user can do anything, including closing the account; a phished or guessed password alone hands all of it over.",
    remediation: {
      cli: "Root MFA cannot be set from the CLI: sign in as root and assign a device.",
      console: "Sign in as root > Security credentials > Multi-factor authentication > Assign MFA device.",
      url: "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user.html#id_root-user_manage_mfa",
    },
    frameworks: {
      "cis-aws-foundations-v3.0": ["1.5"],
      // IAM.9 ("MFA should be enabled for the root user") has no check in Prowler's FSBP file; this check tests it.
      "aws-fsbp": ["IAM.9"],
      "nist-csf-2.0": ["PR.AA-01", "PR.AA-02", "PR.AA-03", "PR.AA-04"],
      "iso-27001-2022": ["A.5.15", "A.5.17", "A.8.5"],
    },
    evaluate: (inv) =>
      judgeRootFact(inv, rootMfaActive(inv), (mfa) =>
        mfa ? ["PASS", "The root user has MFA enabled."] : ["FAIL", "The root user has no MFA device."],
      ),
  },
  {
    id: "iam_root_hardware_mfa_enabled",
    title: "Root user's MFA is a hardware device",
    service: "iam",
    severity: "critical",
    resourceType: "AwsAccount",
    categories: ["identity-access"],
    risk: "A virtual MFA app lives on a phone that is also used for everything else; losing or compromising it puts root at risk.",
    remediation: {
      cli: "Root MFA cannot be set from the CLI: sign in as root and assign a hardware key or token.",
      console:
        "Sign in as root > Security credentials > Multi-factor authentication > Assign MFA device > Passkey or security key / Hardware TOTP token.",
      url: "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user.html#id_root-user_manage_mfa",
    },
    frameworks: {
      "cis-aws-foundations-v3.0": ["1.6"],
      "aws-fsbp": ["IAM.6"],
      "nist-csf-2.0": ["PR.AA-01", "PR.AA-02", "PR.AA-03", "PR.AA-04"],
      "iso-27001-2022": [],
    },
    evaluate: (inv) => {
      const mfa = rootMfaActive(inv);
      if (mfa === false) return rootResult(inv, "FAIL", "The root user has no MFA device at all.");
      const virtual = inv.iam.VirtualMFADevices;
      if (mfa === undefined || virtual === undefined) {
        return rootResult(inv, "MANUAL", "Root MFA or the virtual MFA device list was not collected.");
      }
      const rootVirtual = virtual.some(
        (d) => d.SerialNumber.endsWith(":mfa/root-account-mfa-device") || (d.User?.Arn ?? "").endsWith(":root"),
      );
      return rootVirtual
        ? rootResult(inv, "FAIL", "The root user's MFA is a virtual device.")
        : rootResult(inv, "PASS", "The root user's MFA is a hardware device.");
    },
  },
  {
    id: "iam_no_root_access_key",
    title: "Root user has no access keys",
    service: "iam",
    severity: "critical",
    resourceType: "AwsAccount",
    categories: ["identity-access", "secrets"],
    risk: "A root access key is an unrestricted, long-lived secret that MFA does not protect; if it leaks, the account is gone.",
    remediation: {
      cli: "Root keys cannot be managed from an IAM principal: sign in as root and delete them.",
      console: "Sign in as root > Security credentials > Access keys: deactivate, then delete each key.",
      url: ROOT_URL,
    },
    frameworks: {
      "cis-aws-foundations-v3.0": ["1.4"],
      "aws-fsbp": ["IAM.4"],
      "nist-csf-2.0": [],
      "iso-27001-2022": ["A.5.15"],
    },
    evaluate: (inv) =>
      judgeRootFact(inv, rootAccessKeyActive(inv), (hasKeys) =>
        hasKeys
          ? ["FAIL", "The root user has an active access key."]
          : ["PASS", "The root user has no active access key."],
      ),
  },
  {
    id: "iam_avoid_root_usage",
    title: "Root user has not been used recently",
    service: "iam",
    severity: "high",
    resourceType: "AwsAccount",
    categories: ["identity-access"],
    risk: "Day-to-day use of root exposes the one identity that no policy can restrict; its use should be rare and deliberate.",
    remediation: {
      cli: "aws iam generate-credential-report && aws iam get-credential-report   # find who used root, and move that work to a role",
      console:
        "IAM > Credential report: review root's last use, then do that work with an IAM role or IAM Identity Center user.",
      url: ROOT_URL,
    },
    frameworks: {
      "cis-aws-foundations-v3.0": ["1.7"],
      "aws-fsbp": [],
      "nist-csf-2.0": [],
      "iso-27001-2022": ["A.5.15"],
    },
    evaluate: (inv) => {
      const row = rootRow(inv);
      if (!row) return rootResult(inv, "MANUAL", "The credential report was not collected.");
      const now = Date.parse(inv.collectedAt);
      const ages = [row.password_last_used, row.access_key_1_last_used_date, row.access_key_2_last_used_date]
        .map((cell) => daysSince(reportDate(cell), now))
        .filter((d): d is number => d !== undefined);
      if (ages.length === 0) return rootResult(inv, "PASS", "The root user has never been used.");
      const latest = Math.min(...ages);
      return latest <= ROOT_RECENT_USE_DAYS
        ? rootResult(inv, "FAIL", `The root user was used ${latest} day(s) before the scan.`)
        : rootResult(inv, "PASS", `The root user was last used ${latest} days before the scan.`);
    },
  },
  passwordPolicyCheck(
    "iam_password_policy_minimum_length_14",
    "Password policy requires at least 14 characters",
    "medium",
    ["1.8"],
    PASSWORD_CSF,
    { meets: (p) => (p.MinimumPasswordLength ?? 0) >= 14, wants: "at least 14 characters" },
    "aws iam update-account-password-policy --minimum-password-length 14",
  ),
  passwordPolicyCheck(
    "iam_password_policy_reuse_24",
    "Password policy prevents reuse of the last 24 passwords",
    "medium",
    ["1.9"],
    PASSWORD_CSF,
    { meets: (p) => (p.PasswordReusePrevention ?? 0) >= 24, wants: "24 remembered passwords" },
    "aws iam update-account-password-policy --password-reuse-prevention 24",
  ),
  passwordPolicyCheck(
    "iam_password_policy_uppercase",
    "Password policy requires an uppercase letter",
    "medium",
    [],
    PASSWORD_CSF,
    { meets: (p) => p.RequireUppercaseCharacters === true, wants: "an uppercase letter" },
    "aws iam update-account-password-policy --require-uppercase-characters",
  ),
  passwordPolicyCheck(
    "iam_password_policy_lowercase",
    "Password policy requires a lowercase letter",
    "low",
    [],
    PASSWORD_CSF,
    { meets: (p) => p.RequireLowercaseCharacters === true, wants: "a lowercase letter" },
    "aws iam update-account-password-policy --require-lowercase-characters",
  ),
  passwordPolicyCheck(
    "iam_password_policy_number",
    "Password policy requires a number",
    "medium",
    [],
    PASSWORD_CSF,
    { meets: (p) => p.RequireNumbers === true, wants: "a number" },
    "aws iam update-account-password-policy --require-numbers",
  ),
  passwordPolicyCheck(
    "iam_password_policy_symbol",
    "Password policy requires a symbol",
    "medium",
    [],
    PASSWORD_CSF,
    { meets: (p) => p.RequireSymbols === true, wants: "a symbol" },
    "aws iam update-account-password-policy --require-symbols",
  ),
  passwordPolicyCheck(
    "iam_password_policy_expires_passwords_within_90_days_or_less",
    "Password policy expires passwords within 90 days",
    "medium",
    [],
    [],
    {
      meets: (p) => p.ExpirePasswords === true && (p.MaxPasswordAge ?? Number.POSITIVE_INFINITY) <= 90,
      wants: "passwords to expire within 90 days",
    },
    "aws iam update-account-password-policy --max-password-age 90",
  ),
  {
    id: "iam_user_mfa_enabled_console_access",
    title: "IAM user with a console password has MFA",
    service: "iam",
    severity: "high",
    resourceType: "AwsIamUser",
    categories: ["identity-access"],
    risk: "A console user without MFA is one leaked or guessed password away from being taken over.",
    remediation: {
      cli: "aws iam create-virtual-mfa-device --virtual-mfa-device-name <user> --outfile qr.png --bootstrap-method QRCodePNG && aws iam enable-mfa-device --user-name <user> --serial-number <arn> --authentication-code1 <code> --authentication-code2 <code>",
      console: "IAM > Users > the user > Security credentials > Assign MFA device.",
      url: "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_enable.html",
    },
    frameworks: {
      "cis-aws-foundations-v3.0": ["1.10"],
      "aws-fsbp": ["IAM.5", "IAM.19"],
      "nist-csf-2.0": ["DE.CM-03", "GV.RR-04", "PR.AA-01", "PR.AA-02", "PR.AA-03", "PR.AA-04"],
      "iso-27001-2022": ["A.5.15", "A.5.17", "A.8.5"],
    },
    evaluate: (inv) =>
      perUser(inv, (user) => {
        if (user.LoginProfile === null)
          return { status: "PASS", details: `User ${user.UserName} has no console password.` };
        return user.MFADevices.length > 0
          ? { status: "PASS", details: `User ${user.UserName} signs in to the console with MFA.` }
          : { status: "FAIL", details: `User ${user.UserName} has a console password and no MFA device.` };
      }),
  },
  {
    id: "iam_rotate_access_key_90_days",
    title: "Active access keys are rotated within 90 days",
    service: "iam",
    severity: "medium",
    resourceType: "AwsIamAccessKey",
    categories: ["secrets"],
    risk: "The longer a key lives, the more places it has been copied to and the longer a leaked copy keeps working.",
    remediation: {
      cli: "aws iam create-access-key --user-name <user>   # switch callers to it, then: aws iam update-access-key --user-name <user> --access-key-id <old> --status Inactive && aws iam delete-access-key --user-name <user> --access-key-id <old>",
      console:
        "IAM > Users > the user > Security credentials > Access keys: create a new key, move callers to it, deactivate and delete the old one.",
      url: "https://docs.aws.amazon.com/IAM/latest/UserGuide/id-credentials-access-keys-update.html",
    },
    frameworks: {
      "cis-aws-foundations-v3.0": ["1.14"],
      "aws-fsbp": ["IAM.3"],
      "nist-csf-2.0": ["PR.AA-01", "PR.AA-05"],
      "iso-27001-2022": ["A.5.15"],
    },
    evaluate: (inv) =>
      perActiveAccessKey(inv, (key, user, now) => {
        const age = daysSince(key.CreateDate, now) ?? 0;
        return age > KEY_MAX_AGE_DAYS
          ? {
              status: "FAIL",
              details: `Key ${key.AccessKeyId} of ${user.UserName} is ${age} days old (limit ${KEY_MAX_AGE_DAYS}).`,
            }
          : { status: "PASS", details: `Key ${key.AccessKeyId} of ${user.UserName} is ${age} days old.` };
      }),
  },
  {
    id: "iam_user_accesskey_unused",
    title: "Active access keys have been used in the last 45 days",
    service: "iam",
    severity: "medium",
    resourceType: "AwsIamAccessKey",
    categories: ["secrets"],
    risk: "An active key nobody uses is pure exposure: it can only be used by whoever should not have it.",
    remediation: {
      cli: "aws iam update-access-key --user-name <user> --access-key-id <key> --status Inactive",
      console: "IAM > Users > the user > Security credentials > Access keys: deactivate the unused key.",
      url: "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_finding-unused.html",
    },
    frameworks: {
      "cis-aws-foundations-v3.0": ["1.12"],
      "aws-fsbp": ["IAM.8", "IAM.22", "IAM.26"],
      "nist-csf-2.0": ["PR.AA-01", "PR.AA-05"],
      "iso-27001-2022": ["A.5.15"],
    },
    evaluate: (inv) =>
      perActiveAccessKey(inv, (key, user, now) => {
        const lastUsed = key.AccessKeyLastUsed?.LastUsedDate;
        // A key never used counts from its creation: a fresh key gets its grace period.
        const idle = daysSince(lastUsed ?? key.CreateDate, now) ?? 0;
        const what = lastUsed ? `last used ${idle} days ago` : `never used, created ${idle} days ago`;
        return idle >= UNUSED_DAYS
          ? { status: "FAIL", details: `Key ${key.AccessKeyId} of ${user.UserName} is active and ${what}.` }
          : { status: "PASS", details: `Key ${key.AccessKeyId} of ${user.UserName} is ${what}.` };
      }),
  },
  {
    id: "iam_user_console_access_unused",
    title: "Console passwords have been used in the last 45 days",
    service: "iam",
    severity: "medium",
    resourceType: "AwsIamUser",
    categories: ["identity-access"],
    risk: "A console password nobody uses is an open door with no one watching it.",
    remediation: {
      cli: "aws iam delete-login-profile --user-name <user>",
      console: "IAM > Users > the user > Security credentials > Console sign-in > Disable console access.",
      url: "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_finding-unused.html",
    },
    frameworks: {
      "cis-aws-foundations-v3.0": ["1.12"],
      "aws-fsbp": ["IAM.8", "IAM.22", "IAM.26"],
      "nist-csf-2.0": [],
      "iso-27001-2022": ["A.5.15"],
    },
    evaluate: (inv) => {
      const now = Date.parse(inv.collectedAt);
      return perUser(inv, (user) => {
        if (user.LoginProfile === null)
          return { status: "PASS", details: `User ${user.UserName} has no console password.` };
        const idle = daysSince(user.PasswordLastUsed ?? user.LoginProfile.CreateDate, now) ?? 0;
        const what = user.PasswordLastUsed
          ? `last signed in ${idle} days ago`
          : `never signed in (password set ${idle} days ago)`;
        return idle >= UNUSED_DAYS
          ? { status: "FAIL", details: `User ${user.UserName} ${what}.` }
          : { status: "PASS", details: `User ${user.UserName} ${what}.` };
      });
    },
  },
  {
    id: "iam_user_two_active_access_key",
    title: "IAM user has at most one active access key",
    service: "iam",
    severity: "medium",
    resourceType: "AwsIamUser",
    categories: ["identity-access", "secrets"],
    risk: "Two live keys usually means an old one was never retired after rotation, doubling what can leak.",
    remediation: {
      cli: "aws iam update-access-key --user-name <user> --access-key-id <older-key> --status Inactive",
      console: "IAM > Users > the user > Security credentials > Access keys: deactivate the key no longer in use.",
      url: "https://docs.aws.amazon.com/IAM/latest/UserGuide/id-credentials-access-keys-update.html",
    },
    frameworks: {
      "cis-aws-foundations-v3.0": ["1.13"],
      "aws-fsbp": [],
      "nist-csf-2.0": [],
      "iso-27001-2022": [],
    },
    evaluate: (inv) =>
      perUser(inv, (user) => {
        const active = user.AccessKeys.filter(isActive).length;
        return active > 1
          ? { status: "FAIL", details: `User ${user.UserName} has ${active} active access keys.` }
          : { status: "PASS", details: `User ${user.UserName} has ${active} active access key(s).` };
      }),
  },
  {
    id: "iam_policy_attached_only_to_group_or_roles",
    title: "IAM users get permissions only through groups",
    service: "iam",
    severity: "low",
    resourceType: "AwsIamUser",
    categories: ["identity-access"],
    risk: "Permissions attached user by user drift apart and are hard to review, so excess access goes unnoticed.",
    remediation: {
      cli: "aws iam add-user-to-group --user-name <user> --group-name <group> && aws iam detach-user-policy --user-name <user> --policy-arn <arn>",
      console:
        "IAM > Users > the user > Permissions: add the user to a group with those permissions, then remove the policies attached to the user.",
      url: "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html",
    },
    frameworks: {
      "cis-aws-foundations-v3.0": ["1.15"],
      "aws-fsbp": [],
      "nist-csf-2.0": ["GV.RR-04", "PR.AA-01", "PR.AA-02", "PR.AA-03", "PR.AA-05"],
      "iso-27001-2022": ["A.5.15"],
    },
    evaluate: (inv) =>
      perUser(inv, (user) => {
        const direct = user.AttachedManagedPolicies.length + user.UserPolicyList.length;
        return direct > 0
          ? {
              status: "FAIL",
              details: `User ${user.UserName} has ${direct} polic${direct === 1 ? "y" : "ies"} attached directly.`,
            }
          : { status: "PASS", details: `User ${user.UserName} has no policies attached directly.` };
      }),
  },
  {
    id: "iam_customer_attached_policy_no_administrative_privileges",
    title: "Attached customer managed policies do not grant *:*",
    service: "iam",
    severity: "high",
    resourceType: "AwsIamPolicy",
    categories: ["identity-access"],
    risk: "A policy allowing every action on every resource makes whoever holds it an administrator, defeating least privilege.",
    remediation: {
      cli: "aws iam create-policy-version --policy-arn <arn> --policy-document file://least-privilege.json --set-as-default",
      ...ADMIN_REMEDIATION,
    },
    frameworks: {
      "cis-aws-foundations-v3.0": ["1.16"],
      "aws-fsbp": ["IAM.1"],
      "nist-csf-2.0": ["GV.OC-03", "GV.RM-03", "PR.AA-01", "PR.AA-02", "PR.AA-03", "PR.AA-05", "PR.IR-01", "RC.RP-04"],
      "iso-27001-2022": ["A.5.18", "A.8.2"],
    },
    evaluate: (inv) =>
      inv.iam.Policies.filter((p) => !isAwsManaged(p.Arn) && p.AttachmentCount > 0).map((policy) => {
        const doc = defaultDocument(policy);
        const base = { resourceId: policy.Arn, resourceArn: policy.Arn, region: GLOBAL_REGION };
        if (!doc)
          return {
            ...base,
            status: "MANUAL",
            details: `Policy ${policy.PolicyName}'s default version was not collected.`,
          };
        return allowsFullAdmin(doc)
          ? { ...base, status: "FAIL", details: `Policy ${policy.PolicyName} allows * on * and is attached.` }
          : { ...base, status: "PASS", details: `Policy ${policy.PolicyName} does not allow * on *.` };
      }),
  },
  {
    id: "iam_aws_attached_policy_no_administrative_privileges",
    title: "No AWS managed policy granting *:* is attached",
    service: "iam",
    severity: "critical",
    resourceType: "AwsIamPolicy",
    categories: ["identity-access"],
    risk: "AdministratorAccess (or any AWS managed *:* policy) attached to a principal makes it a full administrator of the account.",
    remediation: {
      cli: "aws iam list-entities-for-policy --policy-arn arn:aws:iam::aws:policy/AdministratorAccess   # then detach-user-policy / detach-group-policy / detach-role-policy",
      ...ADMIN_REMEDIATION,
    },
    frameworks: {
      "cis-aws-foundations-v3.0": ["1.16"],
      "aws-fsbp": ["IAM.1"],
      "nist-csf-2.0": [],
      "iso-27001-2022": ["A.5.18", "A.8.2"],
    },
    evaluate: (inv) => {
      const { iam } = inv;
      // Attachments are read from the principals too, so AdministratorAccess is caught even when
      // the collector skipped AWS managed policy documents.
      const attached = new Set(
        [...iam.UserDetailList, ...iam.GroupDetailList, ...iam.RoleDetailList]
          .flatMap((p) => p.AttachedManagedPolicies.map((a) => a.PolicyArn))
          .filter(isAwsManaged),
      );
      for (const p of iam.Policies) if (isAwsManaged(p.Arn) && p.AttachmentCount > 0) attached.add(p.Arn);
      const docs = new Map(iam.Policies.map((p) => [p.Arn, p]));
      return [...attached].map((arn): Result => {
        const policy = docs.get(arn);
        const doc = policy && defaultDocument(policy);
        const admin = arn.endsWith(":policy/AdministratorAccess") || (doc !== undefined && allowsFullAdmin(doc));
        return {
          status: admin ? "FAIL" : "PASS",
          resourceId: arn,
          resourceArn: arn,
          region: GLOBAL_REGION,
          details: admin ? `${arn} grants * on * and is attached.` : `${arn} does not grant * on *.`,
        };
      });
    },
  },
  {
    id: "iam_inline_policy_no_administrative_privileges",
    title: "Inline policies do not grant *:*",
    service: "iam",
    severity: "critical",
    resourceType: "AwsIamPolicy",
    categories: ["identity-access"],
    risk: "An inline *:* policy silently makes its user, group or role an administrator, outside any managed policy review.",
    remediation: {
      cli: "aws iam delete-user-policy --user-name <user> --policy-name <name>   # or delete-group-policy / delete-role-policy",
      ...ADMIN_REMEDIATION,
    },
    frameworks: {
      "cis-aws-foundations-v3.0": [],
      "aws-fsbp": ["IAM.1"],
      "nist-csf-2.0": [],
      "iso-27001-2022": ["A.5.18", "A.8.2"],
    },
    evaluate: (inv) =>
      inlinePolicies(inv).map((p): Result => {
        const admin = allowsFullAdmin(p.PolicyDocument);
        return {
          status: admin ? "FAIL" : "PASS",
          resourceId: `${p.owner}#${p.PolicyName}`,
          resourceArn: p.owner,
          region: GLOBAL_REGION,
          details: `Inline policy ${p.PolicyName} of ${p.owner} ${admin ? "allows" : "does not allow"} * on *.`,
        };
      }),
  },
];
