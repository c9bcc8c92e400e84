/** Per worker, before any test imports the shared code (which reads its environment once). */
import { inject } from "vitest";

process.env.DYNAMODB_ENDPOINT = inject("dynamoEndpoint");
process.env.TABLE_NAME = inject("tableName");
process.env.WARDEN_JWT_PRIVATE_KEY = inject("jwtPrivateKey");
process.env.WARDEN_DATA_KEY = inject("dataKey");
process.env.BLOB_DIR = inject("blobDir");
process.env.WARDEN_LOG_LEVEL ??= "silent";
process.env.AWS_REGION = "us-east-1";
// Signed-up tenants start on the free plan, which refuses API keys and allows five gateways: the
// suite's other tests use both freely, so their tenants start on enterprise. Billing's tests put
// their tenants on the plan they test (test/integration/billing/).
process.env.WARDEN_SIGNUP_PLAN ??= "enterprise";
// The Stripe webhook route verifies signatures in every test (local mode's too): the suite's secret.
process.env.STRIPE_WEBHOOK_SECRET ??= "whsec_warden_test_suite_0123456789abcdef";
// Local mode and the suite apply plan changes without a payment provider (a deployment refuses upgrades).
process.env.WARDEN_PLAN_CHANGES_WITHOUT_PAYMENT ??= "allow";
