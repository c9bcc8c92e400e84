/**
 * The account's IoT Core data-plane endpoint (`iot:Data-ATS`), which shadow and publish calls need.
 * It differs per account and region and no offline synth can know it, so a custom resource asks IoT
 * for it at deploy time; synth stays offline and credential-free.
 */
import { Duration } from "aws-cdk-lib";
import { PolicyStatement, Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import { AwsCustomResource, AwsCustomResourcePolicy, PhysicalResourceId } from "aws-cdk-lib/custom-resources";
import { Construct } from "constructs";
import { acknowledgeIotEndpointLookup } from "./nag.ts";

export class IotDataEndpoint extends Construct {
  /** Host name, e.g. `abc123-ats.iot.eu-west-1.amazonaws.com` (no scheme). */
  readonly address: string;

  constructor(scope: Construct, id: string) {
    super(scope, id);

    const logGroup = new LogGroup(this, "Logs", { retention: RetentionDays.ONE_MONTH });
    // An explicit role instead of the provider's default AWSLambdaBasicExecutionRole.
    const role = new Role(this, "Role", { assumedBy: new ServicePrincipal("lambda.amazonaws.com") });
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
        resources: [logGroup.logGroupArn],
      }),
    );

    const describe = {
      service: "Iot",
      action: "describeEndpoint",
      parameters: { endpointType: "iot:Data-ATS" },
      physicalResourceId: PhysicalResourceId.of("iot-data-ats-endpoint"),
    };
    const lookup = new AwsCustomResource(this, "Lookup", {
      onCreate: describe,
      onUpdate: describe,
      // DescribeEndpoint supports no resource-level permissions.
      policy: AwsCustomResourcePolicy.fromStatements([
        new PolicyStatement({ actions: ["iot:DescribeEndpoint"], resources: ["*"] }),
      ]),
      role,
      logGroup,
      // The runtime's SDK has DescribeEndpoint; installing a newer one would need network at deploy.
      installLatestAwsSdk: false,
      timeout: Duration.minutes(1),
    });
    this.address = lookup.getResponseField("endpointAddress");

    acknowledgeIotEndpointLookup(this);
  }
}
