using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using Serverless.Core.Inference;
using Serverless.Core.Metering;
using Serverless.Core.Repository;
using Serverless.Functions.Metering;
using Serverless.Functions.Protocol.Codecs;
using Serverless.Functions.Protocol.Endpoints;

namespace Serverless.Functions.Protocol.Http;

/// <summary><c>POST /v2/models/{model}[/versions/{version}]/infer</c>.</summary>
public sealed class InferenceFunctions(InferenceService service, UsageMeter meter, IOptions<InferenceOptions> options)
{
    [Function("Infer")]
    [EndpointAccess(EndpointAccess.Metered)]
    public Task InferAsync([HttpTrigger(AuthorizationLevel.Function, "post", Route = "v2/models/{model}/infer")] HttpRequest request, string model) =>
        ServeAsync(request.HttpContext, model, null);

    [Function("InferVersion")]
    [EndpointAccess(EndpointAccess.Metered)]
    public Task InferVersionAsync([HttpTrigger(AuthorizationLevel.Function, "post", Route = "v2/models/{model}/versions/{version}/infer")] HttpRequest request,
        string model, string version) =>
        ServeAsync(request.HttpContext, model, ModelName.ParseVersion(model, version));

    private async Task ServeAsync(HttpContext context, string model, long? version)
    {
        ModelName.EnsureValid(model);
        // Rate limit and the model's concurrency slot come before the body is buffered; refusals are recorded, not billed.
        await using var call = await meter.AdmitAsync(context.GetCaller(), model, context.RequestAborted);
        // Binary inputs point into the body and JSON inputs into the pooled buffers until the response is written.
        RequestBody? body = null;
        using var buffers = new PooledTensorBuffers();
        try
        {
            InferenceResponse response;
            BinaryOutputSelection binaryOutputs;
            try
            {
                body = await RequestBody.ReadAsync(context.Request, options.Value.MaxRequestBytes, context.RequestAborted);
                var (json, binary) = InferenceHeader.Split(body.Memory, context.Request.Headers[InferenceHeader.ContentLengthHeader]);
                var request = InferenceRequestJsonReader.Read(json, binary, buffers, out binaryOutputs);
                await call.BeginAsync(request.Id, InferenceService.BatchSize(request), body.Length, context.RequestAborted);
                response = await service.InferAsync(model, version, request, context.RequestAborted);
                // Returns once the usage record is durable (group commit): no 2xx leaves without its record.
                await call.SucceedAsync(response);
            }
            catch (Exception e) when (call.IsOpen)
            {
                await call.FailAsync(FailureStatus.Of(e));
                throw;
            }
            using (response)
            {
                await InferenceResponseBody.WriteAsync(context.Response, response, binaryOutputs, context.RequestAborted);
            }
        }
        finally
        {
            body?.Dispose();
        }
    }
}
