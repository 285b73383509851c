using Microsoft.Azure.Functions.Worker;
using Serverless.Core.Errors;
using Serverless.Core.Inference;
using Serverless.Core.Metering;
using Serverless.Core.Repository;
using Serverless.Functions.Metering;
using Serverless.Functions.Protocol.Codecs;
using Serverless.Functions.Protocol.Endpoints;

namespace Serverless.Functions.Protocol.Http;

/// <summary><c>POST /v2/models/{model}[/versions/{version}]/infer</c>.</summary>
public sealed class InferenceFunctions(InferenceService service, UsageMeter meter, ModelVersionIndex versions, RequestBodyReader bodies, RefusedBodyDrain drain)
{
    [Function("Infer")]
    [EndpointAccess(EndpointAccess.Metered)]
    public Task InferAsync([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v2/models/{model}/infer")] HttpRequest request, string model) =>
        ServeAsync(request.HttpContext, model, null);

    [Function("InferVersion")]
    [EndpointAccess(EndpointAccess.Metered)]
    public Task InferVersionAsync([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v2/models/{model}/versions/{version}/infer")] HttpRequest request,
        string model, string version) =>
        ServeAsync(request.HttpContext, model, version);

    private async Task ServeAsync(HttpContext context, string model, string? versionText)
    {
        // Binary inputs point into the body and JSON inputs into the pooled buffers until the response is written.
        var (body, version) = await ReadBodyAsync(context, model, versionText);
        using var _ = body;
        // The body is in before the model's concurrency slot is taken: a slow upload holds no slot others wait for.
        // Rate limit and slot refusals are recorded, not billed.
        await using var call = await meter.AdmitAsync(context.GetCaller(), model, context.RequestAborted);
        using var buffers = new PooledTensorBuffers();
        InferenceResponse? response = null;
        BinaryOutputSelection binaryOutputs;
        try
        {
            var (json, binary) = InferenceHeader.Split(body.Memory, context.Request.Headers[InferenceHeader.ContentLengthHeader]);
            var request = InferenceRequestJsonReader.Read(json, binary, buffers, out binaryOutputs);
            await call.BeginAsync(request.Id, InferenceService.BatchSize(request), body.Length, context.RequestAborted);
            response = await service.InferAsync(model, version, request, context.RequestAborted);
            InferenceResponseJsonWriter.EnsureWritable(response, binaryOutputs);
            // Returns once the usage record is safe (Metering:Durability): no 2xx leaves without its record.
            await call.SucceedAsync(response);
        }
        catch (Exception e) when (call.IsOpen)
        {
            response?.Dispose();
            await call.FailAsync(FailureStatus.Of(e));
            throw;
        }
        using (response)
        {
            await InferenceResponseBody.WriteAsync(context.Response, response, binaryOutputs, context.RequestAborted);
        }
    }

    /// <summary>
    /// The model (and version) must exist before any of the body is buffered: a request for a model that is not there
    /// costs no memory. Whatever is refused here is drained first, so the client reads the answer.
    /// </summary>
    private async Task<(RequestBody Body, long? Version)> ReadBodyAsync(HttpContext context, string model, string? versionText)
    {
        drain.Allow(context);
        long? version;
        try
        {
            ModelName.EnsureValid(model);
            version = versionText is null ? null : ModelName.ParseVersion(model, versionText);
            await versions.ResolveAsync(model, version, context.RequestAborted);
        }
        catch (ModelNotFoundException)
        {
            await drain.DrainAsync(context, 0);
            throw;
        }
        return (await bodies.ReadAsync(context, context.RequestAborted), version);
    }
}
