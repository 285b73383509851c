using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using Serverless.Core.Text.Generation;
using Serverless.Functions.Protocol.Endpoints;

namespace Serverless.Functions.Protocol.OpenAi;

/// <summary><c>POST /v1/chat/completions</c> (and <c>/openai/v1/chat/completions</c>): OpenAI's chat API over <see cref="ITextGeneration"/>, whole or streamed.</summary>
public sealed class ChatCompletionFunctions(OpenAiRequestBody bodies, CompletionResponder responder, IOptions<OpenAiOptions> options, ITextGeneration? generation = null)
{
    private const string Description = "OpenAI's chat completions API; with \"stream\": true the answer is Server-Sent Events of chat.completion.chunk objects ending with data: [DONE]. Errors in OpenAI's envelope.";

    [Function("OpenAiChatCompletions")]
    [ApiOperation("OpenAI", "Create a chat completion", Description = Description, RequestBody = ApiSchemas.OpenAiChatCompletionRequest, Response = ApiSchemas.OpenAiChatCompletion, Error = ApiSchemas.OpenAiError)]
    [EndpointAccess(EndpointAccess.Metered)]
    public Task CompleteAsync([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/chat/completions")] HttpRequest request) =>
        ServeAsync(request.HttpContext);

    [Function("KServeOpenAiChatCompletions")]
    [ApiOperation("OpenAI", "Create a chat completion (KServe's /openai prefix)", Description = Description, RequestBody = ApiSchemas.OpenAiChatCompletionRequest, Response = ApiSchemas.OpenAiChatCompletion, Error = ApiSchemas.OpenAiError)]
    [EndpointAccess(EndpointAccess.Metered)]
    public Task CompletePrefixedAsync([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "openai/v1/chat/completions")] HttpRequest request) =>
        ServeAsync(request.HttpContext);

    private async Task ServeAsync(HttpContext context)
    {
        GenerationCall call;
        using (var body = await bodies.ReadAsync(context))
        {
            call = ChatCompletionRequestReader.Read(body.RootElement, options.Value);
        }
        await responder.AnswerAsync(context, CompletionKind.Chat, call, generation ?? throw new TextModelsNotServedException("text generation"));
    }
}
