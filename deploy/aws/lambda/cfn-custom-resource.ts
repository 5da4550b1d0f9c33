/** The fields of a CloudFormation custom resource request that the handlers read. */
export interface CustomResourceEvent {
  RequestType: 'Create' | 'Update' | 'Delete';
  ResponseURL: string;
  StackId: string;
  RequestId: string;
  LogicalResourceId: string;
  PhysicalResourceId?: string;
  ResourceProperties: Record<string, unknown>;
}

export interface CustomResourceResult {
  physicalResourceId: string;
  /** Shown by CloudFormation (GetAtt, console): never a secret. */
  data?: Record<string, string>;
}

/**
 * Runs `work` for a custom resource request and always answers CloudFormation
 * (a custom resource that never answers hangs the stack for an hour): SUCCESS
 * with the result, or FAILED with the error's message.
 */
export function customResourceHandler(work: (event: CustomResourceEvent) => Promise<CustomResourceResult>) {
  return async (event: CustomResourceEvent): Promise<void> => {
    let response: Record<string, unknown>;
    try {
      const result = await work(event);
      response = {
        Status: 'SUCCESS',
        PhysicalResourceId: result.physicalResourceId,
        Data: result.data ?? {},
      };
    } catch (error) {
      response = {
        Status: 'FAILED',
        Reason: `${(error as Error)?.name ?? 'Error'}: ${(error as Error)?.message ?? String(error)}`.slice(
          0,
          1000,
        ),
        PhysicalResourceId: event.PhysicalResourceId ?? event.LogicalResourceId,
      };
    }
    const body = JSON.stringify({
      ...response,
      StackId: event.StackId,
      RequestId: event.RequestId,
      LogicalResourceId: event.LogicalResourceId,
    });
    // The URL is pre-signed for a PUT without a content type.
    const answer = await fetch(event.ResponseURL, { method: 'PUT', headers: { 'content-type': '' }, body });
    if (!answer.ok) throw new Error(`CloudFormation refused the response: ${answer.status}`);
  };
}
