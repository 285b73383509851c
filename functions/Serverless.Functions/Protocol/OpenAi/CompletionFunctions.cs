using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using Serverless.Core.Text.Generation;
using Serverless.Functions.Protocol.Endpoints;

namespace Serverless.Functions.Protocol.OpenAi;

/// <summary><c>POST /v1/completions</c> (and <c>/openai/v1/completions</c>): OpenAI's (legacy) completions API over <see cref="ITextGeneration"/>, whole or streamed.</summary>
public sealed class CompletionFunctions(OpenAiRequestBody bodies, CompletionResponder responder, IOptions<OpenAiOptions> options, ITextGeneration? generation = null)
{
    private const string Description = "OpenAI's completions API; with \"stream\": true the answer is Server-Sent Events of text_completion objects ending with data: [DONE]. Errors in OpenAI's envelope.";

    [Function("OpenAiCompletions")]
    [ApiOperation("OpenAI", "Create a completion", Description = Description, RequestBody = ApiSchemas.OpenAiCompletionRequest, Response = ApiSchemas.OpenAiCompletion, Error = ApiSchemas.OpenAiError)]
    [EndpointAccess(EndpointAccess.Metered)]
    public Task CompleteAsync([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/completions")] HttpRequest request) =>
        ServeAsync(request.HttpContext);

    [Function("KServeOpenAiCompletions")]
    [ApiOperation("OpenAI", "Create a completion (KServe's /openai prefix)", Description = Description, RequestBody = ApiSchemas.OpenAiCompletionRequest, Response = ApiSchemas.OpenAiCompletion, Error = ApiSchemas.OpenAiError)]
    [EndpointAccess(EndpointAccess.Metered)]
    public Task CompletePrefixedAsync([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "openai/v1/completions")] HttpRequest request) =>
        ServeAsync(request.HttpContext);

    private async Task ServeAsync(HttpContext context)
    {
        GenerationCall call;
        using (var body = await bodies.ReadAsync(context))
        {
            call = CompletionRequestReader.Read(body.RootElement, options.Value);
        }
        await responder.AnswerAsync(context, CompletionKind.Text, call, generation ?? throw new TextModelsNotServedException("text generation"));
    }
}
