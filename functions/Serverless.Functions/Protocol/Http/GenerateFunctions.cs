using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using Serverless.Core.Repository;
using Serverless.Core.Text.Generation;
using Serverless.Functions.Protocol.Endpoints;
using Serverless.Functions.Protocol.OpenAi;

namespace Serverless.Functions.Protocol.Http;

/// <summary>
/// Triton's generate extension: <c>POST /v2/models/{model}[/versions/{version}]/generate</c> and <c>.../generate_stream</c>,
/// over the same <see cref="ITextGeneration"/> as the OpenAI routes. Errors keep the v2 API's <c>{"error": "..."}</c>.
/// </summary>
public sealed class GenerateFunctions(OpenAiRequestBody bodies, GenerateResponder responder, IOptions<OpenAiOptions> options, ITextGeneration? generation = null)
{
    private const string Description = "Triton's generate extension: {\"text_input\", \"parameters\": {max_tokens, temperature, top_p, top_k, seed, stop}}.";
    private const string StreamDescription = "Triton's generate extension, streamed: one Server-Sent Event per piece of text, no [DONE]; an error after the first event is a data: {\"error\": ...} event.";

    [Function("Generate")]
    [ApiOperation("Inference", "Generate text with a model's current version", Description = Description, RequestBody = ApiSchemas.GenerateRequest, Response = ApiSchemas.GenerateResponse)]
    [EndpointAccess(EndpointAccess.Metered)]
    public Task GenerateAsync([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v2/models/{model}/generate")] HttpRequest request, string model) =>
        ServeAsync(request.HttpContext, model, null, stream: false);

    [Function("GenerateVersion")]
    [ApiOperation("Inference", "Generate text with one version of a model", Description = Description, RequestBody = ApiSchemas.GenerateRequest, Response = ApiSchemas.GenerateResponse)]
    [EndpointAccess(EndpointAccess.Metered)]
    public Task GenerateVersionAsync([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v2/models/{model}/versions/{version}/generate")] HttpRequest request,
        string model, string version) =>
        ServeAsync(request.HttpContext, model, version, stream: false);

    [Function("GenerateStream")]
    [ApiOperation("Inference", "Generate text with a model's current version, streamed", Description = StreamDescription, RequestBody = ApiSchemas.GenerateRequest,
        Response = ApiSchemas.GenerateResponse, ResponseMediaType = "text/event-stream")]
    [EndpointAccess(EndpointAccess.Metered)]
    public Task GenerateStreamAsync([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v2/models/{model}/generate_stream")] HttpRequest request, string model) =>
        ServeAsync(request.HttpContext, model, null, stream: true);

    [Function("GenerateStreamVersion")]
    [ApiOperation("Inference", "Generate text with one version of a model, streamed", Description = StreamDescription, RequestBody = ApiSchemas.GenerateRequest,
        Response = ApiSchemas.GenerateResponse, ResponseMediaType = "text/event-stream")]
    [EndpointAccess(EndpointAccess.Metered)]
    public Task GenerateStreamVersionAsync([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v2/models/{model}/versions/{version}/generate_stream")] HttpRequest request,
        string model, string version) =>
        ServeAsync(request.HttpContext, model, version, stream: true);

    private async Task ServeAsync(HttpContext context, string model, string? versionText, bool stream)
    {
        ModelName.EnsureValid(model);
        var name = versionText is null ? model : $"{model}:{ModelName.ParseVersion(model, versionText)}";
        GenerationCall call;
        using (var body = await bodies.ReadAsync(context))
        {
            call = GenerateRequestReader.Read(body.RootElement, name, stream, options.Value);
        }
        await responder.AnswerAsync(context, call, generation ?? throw new TextModelsNotServedException("text generation"));
    }
}
