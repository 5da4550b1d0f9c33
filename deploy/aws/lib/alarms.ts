import { Duration } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { namePrefix } from './names.js';

/**
 * The provisioner's log line for an operation that ended (pino JSON,
 * provisioner/operations/operation-runner.ts): `{"msg":"operation finished","state":…}`.
 * The alarm counts those whose state is NOT_COMPLETED; the provisioner's
 * Prometheus counter says the same, but nothing scrapes it on AWS.
 */
export const OPERATION_FINISHED = { msg: 'operation finished', stateField: 'state' } as const;
export const NOT_COMPLETED_METRIC = 'OperationsNotCompleted';
export const NOT_COMPLETED_PATTERN = logs.FilterPattern.all(
  logs.FilterPattern.stringValue('$.msg', '=', OPERATION_FINISHED.msg),
  logs.FilterPattern.stringValue(`$.${OPERATION_FINISHED.stateField}`, '=', 'NOT_COMPLETED'),
);

export interface AlarmsProps {
  environment: string;
  alarmEmail?: string;
  fivexxPercent: number;
  targetGroups: Record<string, elbv2.ApplicationTargetGroup>;
  api: apigateway.RestApi;
  provisionerLogs: logs.LogGroup;
}

/** Alarms on 5xx rates (each Fargate service, the microservices' API) and on operations ending NOT_COMPLETED. */
export class DmpAlarms extends Construct {
  readonly topic: sns.Topic;
  readonly notCompletedFilter: logs.MetricFilter;

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    const prefix = namePrefix(props.environment);
    this.topic = new sns.Topic(this, 'Topic', { topicName: `${prefix}-alarms`, enforceSSL: true });
    if (props.alarmEmail) this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    const notify = new actions.SnsAction(this.topic);
    const period = Duration.minutes(5);

    for (const [service, group] of Object.entries(props.targetGroups)) {
      const rate = new cloudwatch.MathExpression({
        label: `${service} 5xx %`,
        expression: 'IF(requests > 0, 100 * errors / requests, 0)',
        usingMetrics: {
          errors: group.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, {
            period,
            statistic: 'Sum',
          }),
          requests: group.metrics.requestCount({ period, statistic: 'Sum' }),
        },
        period,
      });
      rate
        .createAlarm(this, `${service}-5xx`, {
          alarmName: `${prefix}-${service}-5xx-rate`,
          alarmDescription: `More than ${props.fivexxPercent}% of ${service} requests answered 5xx over 5 minutes`,
          threshold: props.fivexxPercent,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        })
        .addAlarmAction(notify);
    }

    // The API's 5XXError is 1 per failed request, 0 otherwise: its average is the 5xx share.
    const apiRate = new cloudwatch.MathExpression({
      label: 'microservices API 5xx %',
      expression: '100 * errors',
      usingMetrics: { errors: props.api.metricServerError({ period, statistic: 'Average' }) },
      period,
    });
    apiRate
      .createAlarm(this, 'microservices-5xx', {
        alarmName: `${prefix}-microservices-api-5xx-rate`,
        alarmDescription: `More than ${props.fivexxPercent}% of microservice calls answered 5xx over 5 minutes`,
        threshold: props.fivexxPercent,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      })
      .addAlarmAction(notify);

    this.notCompletedFilter = new logs.MetricFilter(this, 'NotCompletedFilter', {
      logGroup: props.provisionerLogs,
      filterPattern: NOT_COMPLETED_PATTERN,
      metricNamespace: `dmp/${props.environment}`,
      metricName: NOT_COMPLETED_METRIC,
      metricValue: '1',
    });
    this.notCompletedFilter
      .metric({ period, statistic: 'Sum' })
      .createAlarm(this, 'not-completed', {
        alarmName: `${prefix}-operations-not-completed`,
        alarmDescription:
          'An operation ended NOT_COMPLETED: a resource failed or timed out (see its lastError)',
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      })
      .addAlarmAction(notify);
  }
}
