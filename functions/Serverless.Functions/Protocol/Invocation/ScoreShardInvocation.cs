using System.Globalization;
using System.Text;
using System.Text.Json;
using Serverless.Core.Jobs;
using Serverless.Functions.Hosting;
using Serverless.Functions.Protocol.Http;

namespace Serverless.Functions.Protocol.Invocation;

/// <summary>
/// <c>POST /ScoreShard</c>: the jobs queue trigger as the Functions host delivers it to a custom handler. 200 completes
/// the message; any other status makes the host retry it and, after maxDequeueCount attempts, move it to the poison queue.
/// </summary>
public static class ScoreShardInvocation
{
    public const string FunctionName = "ScoreShard";
    // The binding name in Triggers/ScoreShard/function.json.
    public const string Binding = "message";

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = null };

    /// <summary>Mapped only under the Functions host: standalone, the queue listener delivers messages and nobody else may.</summary>
    public static WebApplication MapScoreShardInvocation(this WebApplication app)
    {
        if (ListenAddress.UnderFunctionsHost(app.Configuration))
        {
            // The host's own invocation carries no caller key. Only the host can reach this route: the app listens on
            // 127.0.0.1 and no HTTP function's route proxies to /ScoreShard.
            app.MapPost($"/{FunctionName}", InvokeAsync).AllowAnonymous();
        }
        return app;
    }

    private static async Task<IResult> InvokeAsync(HttpRequest request, JobMessageHandler handler, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger(typeof(ScoreShardInvocation));
        using var body = await RequestBody.ReadAsync(request, 1024 * 1024, cancellationToken);
        InvocationRequest invocation;
        try
        {
            invocation = InvocationRequest.Parse(body.Span);
        }
        catch (JsonException e)
        {
            return TypedResults.Json(InvocationResponse.WithLogs($"invocation body is not JSON: {e.Message}"), Json, statusCode: StatusCodes.Status400BadRequest);
        }
        var payload = invocation.Payload(Binding);
        var message = JobMessageBody.Normalize(payload.ValueKind == JsonValueKind.String
            ? Encoding.UTF8.GetBytes(payload.GetString()!)
            : Encoding.UTF8.GetBytes(payload.ValueKind == JsonValueKind.Undefined ? "" : payload.GetRawText()));
        var dequeueCount = long.TryParse(invocation.MetadataText("DequeueCount"), NumberStyles.None, CultureInfo.InvariantCulture, out var count) ? count : 1;
        var messageId = invocation.MetadataText("Id") ?? Guid.NewGuid().ToString("N");
        try
        {
            await handler.HandleAsync(message, messageId, dequeueCount, cancellationToken);
            return TypedResults.Json(InvocationResponse.WithLogs($"message {messageId} done"), Json);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("Queue message {MessageId} failed on attempt {Attempt}: {Reason}", messageId, dequeueCount, e.Message);
            return TypedResults.Json(InvocationResponse.WithLogs($"message {messageId} failed on attempt {dequeueCount}: {e.Message}"), Json,
                statusCode: StatusCodes.Status500InternalServerError);
        }
    }
}
