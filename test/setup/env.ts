/** Per worker, before any test imports the shared code (which reads its environment once). */
import { inject } from "vitest";

process.env.DYNAMODB_ENDPOINT = inject("dynamoEndpoint");
process.env.TABLE_NAME = inject("tableName");
process.env.WARDEN_JWT_PRIVATE_KEY = inject("jwtPrivateKey");
process.env.WARDEN_DATA_KEY = inject("dataKey");
process.env.WARDEN_LOG_LEVEL ??= "silent";
process.env.AWS_REGION = "us-east-1";
