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
public sealed class InferenceFunctions(MeteredInference inference, ModelVersionIndex versions, RequestBodyReader bodies, RefusedBodyDrain drain)
{
    [Function("Infer")]
    [ApiOperation("Inference", "Run inference on a model's current version", Description = "JSON tensors, or the binary tensor data extension (Inference-Header-Content-Length).", RequestBody = ApiSchemas.InferenceRequest, Response = ApiSchemas.InferenceResponse)]
    [EndpointAccess(EndpointAccess.Metered)]
    public Task InferAsync([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v2/models/{model}/infer")] HttpRequest request, string model) =>
        ServeAsync(request.HttpContext, model, null);

    [Function("InferVersion")]
    [ApiOperation("Inference", "Run inference on one version of a model", Description = "JSON tensors, or the binary tensor data extension (Inference-Header-Content-Length).", RequestBody = ApiSchemas.InferenceRequest, Response = ApiSchemas.InferenceResponse)]
    [EndpointAccess(EndpointAccess.Metered)]
    public Task InferVersionAsync([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v2/models/{model}/versions/{version}/infer")] HttpRequest request,
        string model, string version) =>
        ServeAsync(request.HttpContext, model, version);

    private async Task ServeAsync(HttpContext context, string model, string? versionText)
    {
        // Binary inputs point into the body and JSON inputs into the pooled buffers until the response is written.
        var (body, version) = await ReadBodyAsync(context, model, versionText);
        using var _ = body;
        // The body is in before the call is admitted: a slow upload holds no model slot others wait for.
        using var exchange = new JsonExchange(body, context.Request.Headers[InferenceHeader.ContentLengthHeader]);
        // Returns once the usage record is safe (Metering:Durability): no 2xx leaves without its record.
        using var response = await inference.InferAsync(context.GetCaller(), model, version, exchange, context.RequestAborted);
        await InferenceResponseBody.WriteAsync(context.Response, response, exchange.BinaryOutputs, context.RequestAborted);
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
        catch (ModelNotFoundException notFound)
        {
            await drain.DrainAsync(context, 0);
            await inference.RecordNotFoundAsync(context.GetCaller(), model, notFound, context.RequestAborted);
            throw;
        }
        return (await bodies.ReadAsync(context, context.RequestAborted), version);
    }

    /// <summary>The v2 protocol's JSON body, with the binary tensor data extension: decoded once the call is admitted.</summary>
    private sealed class JsonExchange(RequestBody body, string? headerLength) : IInferenceExchange, IDisposable
    {
        // Counted in the body's reservation of Inference:MaxBufferedRequestBytes: decoded tensors cost memory too.
        private readonly PooledTensorBuffers _buffers = body.NewTensorBuffers();

        public long RequestBytes => body.Length;

        /// <summary>Which outputs go back as binary data, as the request asked; known once it is read.</summary>
        public BinaryOutputSelection BinaryOutputs { get; private set; } = BinaryOutputSelection.None;

        public InferenceRequest ReadRequest()
        {
            var (json, binary) = InferenceHeader.Split(body.Memory, headerLength);
            var request = InferenceRequestJsonReader.Read(json, binary, _buffers, out var binaryOutputs);
            BinaryOutputs = binaryOutputs;
            return request;
        }

        public void EnsureSendable(InferenceResponse response) => InferenceResponseJsonWriter.EnsureWritable(response, BinaryOutputs);

        public void Dispose() => _buffers.Dispose();
    }
}
