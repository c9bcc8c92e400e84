/** The daily auto-renew job (EventBridge Scheduler in AWS, a timer locally): renewals and expiry notices. */
import { runAutoRenew } from "#shared/certificates/auto-renew.ts";

export const handler = async () => runAutoRenew(new Date());
