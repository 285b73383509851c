using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using Serverless.Core.Text.Embeddings;
using Serverless.Functions.Metering;
using Serverless.Functions.Protocol.Endpoints;

namespace Serverless.Functions.Protocol.OpenAi;

/// <summary><c>POST /v1/embeddings</c> (and <c>/openai/v1/embeddings</c>): OpenAI's embeddings API over <see cref="ITextEmbeddings"/>.</summary>
public sealed class EmbeddingFunctions(OpenAiRequestBody bodies, IOptions<OpenAiOptions> options, IOptions<EmbeddingsOptions> limits, ITextEmbeddings? embeddings = null)
{
    private const string Description = "OpenAI's embeddings API: input as a string, a list of strings, token ids or a list of token id lists; encoding_format float or base64 (little-endian float32). Errors in OpenAI's envelope.";

    [Function("OpenAiEmbeddings")]
    [ApiOperation("OpenAI", "Create embeddings", Description = Description, RequestBody = ApiSchemas.OpenAiEmbeddingRequest, Response = ApiSchemas.OpenAiEmbeddingResponse, Error = ApiSchemas.OpenAiError)]
    [EndpointAccess(EndpointAccess.Metered)]
    public Task EmbedAsync([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/embeddings")] HttpRequest request) =>
        ServeAsync(request.HttpContext);

    [Function("KServeOpenAiEmbeddings")]
    [ApiOperation("OpenAI", "Create embeddings (KServe's /openai prefix)", Description = Description, RequestBody = ApiSchemas.OpenAiEmbeddingRequest, Response = ApiSchemas.OpenAiEmbeddingResponse, Error = ApiSchemas.OpenAiError)]
    [EndpointAccess(EndpointAccess.Metered)]
    public Task EmbedPrefixedAsync([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "openai/v1/embeddings")] HttpRequest request) =>
        ServeAsync(request.HttpContext);

    private async Task ServeAsync(HttpContext context)
    {
        EmbeddingsCall call;
        using (var body = await bodies.ReadAsync(context))
        {
            call = EmbeddingsRequestReader.Read(body.RootElement, options.Value, limits.Value);
        }
        var service = embeddings ?? throw new TextModelsNotServedException("text embeddings");
        var result = await service.EmbedAsync(context.GetCaller(), call.Request, context.RequestAborted);
        context.Response.ContentType = "application/json; charset=utf-8";
        EmbeddingsResponseWriter.Write(context.Response.BodyWriter, call.Request.Model, result, call.Base64);
        await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
    }
}
