/**
 * The cloud providers a scan can target, as `GET /scan/providers` lists them: AWS with the services
 * the collectors read and its commercial regions; Azure and GCP listed as not yet available (a scan
 * request for them is refused with a clear 400 until their collectors exist).
 */
import { mayScanPlatform } from "./platform.ts";

export const CLOUD_PROVIDERS = ["aws", "azure", "gcp"] as const;
export type CloudProvider = (typeof CLOUD_PROVIDERS)[number];

/** The services a scan's `scan_config.services` may name (collector units; `account` rides with `iam`). */
export const SCAN_SERVICES = [
  "s3",
  "iam",
  "ec2",
  "vpc",
  "rds",
  "cloudtrail",
  "kms",
  "config",
  "guardduty",
  "lambda",
] as const;
export type ScanService = (typeof SCAN_SERVICES)[number];

/** Services whose resources are global: collected once, from the scan's home region. */
export const GLOBAL_SERVICES: ReadonlySet<ScanService> = new Set(["iam", "s3"]);

/** AWS commercial regions (partition `aws`), as of 2026. */
export const AWS_REGIONS = [
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
  "af-south-1",
  "ap-east-1",
  "ap-south-1",
  "ap-south-2",
  "ap-southeast-1",
  "ap-southeast-2",
  "ap-southeast-3",
  "ap-southeast-4",
  "ap-southeast-5",
  "ap-southeast-7",
  "ap-northeast-1",
  "ap-northeast-2",
  "ap-northeast-3",
  "ca-central-1",
  "ca-west-1",
  "eu-central-1",
  "eu-central-2",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "eu-south-1",
  "eu-south-2",
  "eu-north-1",
  "il-central-1",
  "me-south-1",
  "me-central-1",
  "mx-central-1",
  "sa-east-1",
] as const;

export interface ProviderInfo {
  name: string;
  available: boolean;
  services: string[];
  regions: string[];
  credential_types: string[];
  /** Why a provider is not available yet. */
  note?: string;
}

/** `tenant`: the caller's tenant; `platform` is listed only for a tenant the deployment allows it. */
export function providerCatalogue(tenant?: { id: string; createdAt: string }): Record<CloudProvider, ProviderInfo> {
  return {
    aws: {
      name: "Amazon Web Services",
      available: true,
      services: [...SCAN_SERVICES],
      regions: [...AWS_REGIONS],
      // `demo`: local mode's recorded account; `platform`: the platform's own account (both beyond spec).
      credential_types: ["access_key", "role_arn", ...(mayScanPlatform(tenant) ? ["platform"] : []), "demo"],
    },
    azure: {
      name: "Microsoft Azure",
      available: false,
      services: ["storage", "identity", "compute", "network", "keyvault"],
      regions: [
        "East US",
        "East US 2",
        "West US 2",
        "West US 3",
        "North Europe",
        "West Europe",
        "UK South",
        "Southeast Asia",
      ],
      credential_types: ["service_principal", "managed_identity"],
      note: "Azure scanning is not available yet",
    },
    gcp: {
      name: "Google Cloud Platform",
      available: false,
      services: ["storage", "iam", "compute", "network", "kms"],
      regions: ["us-central1", "us-east1", "us-west1", "europe-west1", "europe-west3", "asia-east1", "asia-southeast1"],
      credential_types: ["service_account_key", "application_default"],
      note: "GCP scanning is not available yet",
    },
  };
}
