/** The account itself: can AWS reach the people who handle its security. */
import { GLOBAL_REGION } from "../inventory.ts";
import { accountArn } from "./resource-ids.ts";
import type { CheckDefinition } from "./types.ts";

export const accountChecks: CheckDefinition[] = [
  {
    id: "account_security_contact_information_is_registered",
    title: "A security contact is registered for the account",
    service: "account",
    severity: "medium",
    resourceType: "AwsAccount",
    categories: [],
    risk: "When AWS sees abuse or a compromise it writes to the security contact; without one the warning goes to whoever reads the root mailbox, if anyone.",
    remediation: {
      cli: "aws account put-alternate-contact --alternate-contact-type SECURITY --email-address <team-alias> --name <name> --phone-number <phone> --title <title>",
      console: "Account (top-right menu) > Alternate contacts > Security contact > Edit.",
      url: "https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-update-contact-alternate.html",
    },
    frameworks: {
      "cis-aws-foundations-v3.0": ["1.2"],
      "aws-fsbp": ["Account.1"],
      "nist-csf-2.0": [],
      "iso-27001-2022": ["A.5.5"],
    },
    evaluate: (inv) => {
      const base = { resourceId: inv.account.AccountId, resourceArn: accountArn(inv), region: GLOBAL_REGION };
      const contacts = inv.account.AlternateContacts;
      if (contacts === undefined)
        return [{ ...base, status: "MANUAL", details: "Alternate contacts were not collected." }];
      const security = contacts.find((c) => c.AlternateContactType === "SECURITY" && c.EmailAddress);
      return [
        security
          ? { ...base, status: "PASS", details: `The security contact is ${security.EmailAddress}.` }
          : { ...base, status: "FAIL", details: "No security contact is registered." },
      ];
    },
  },
];
