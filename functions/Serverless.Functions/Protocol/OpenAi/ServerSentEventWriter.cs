using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;

namespace Serverless.Functions.Protocol.OpenAi;

/// <summary>
/// Server-Sent Events as LLM servers frame them: each event one <c>data: {json}\n\n</c>, flushed at once so a token
/// reaches the client as it is generated (under the Functions host too: the worker's Kestrel answers the host's proxy
/// chunk by chunk). OpenAI's streams end with <c>data: [DONE]\n\n</c>; Triton's just end.
/// </summary>
public sealed class ServerSentEventWriter : IDisposable
{
    private static readonly byte[] DataPrefix = "data: "u8.ToArray();
    private static readonly byte[] EventEnd = "\n\n"u8.ToArray();
    private static readonly byte[] Done = "data: [DONE]\n\n"u8.ToArray();

    private readonly HttpResponse _response;
    private readonly Utf8JsonWriter _json;

    private ServerSentEventWriter(HttpResponse response)
    {
        _response = response;
        _json = new Utf8JsonWriter(response.BodyWriter, OpenAiJson.WriterOptions);
    }

    /// <summary>Commits the 200 and the event-stream headers: from here on a failure can only be an event.</summary>
    public static ServerSentEventWriter Start(HttpContext context)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        // Proxies that buffer (nginx) would hold the tokens back until the end.
        response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        return new ServerSentEventWriter(response);
    }

    public async ValueTask WriteAsync(Action<Utf8JsonWriter> write, CancellationToken cancellationToken)
    {
        var body = _response.BodyWriter;
        body.Write(DataPrefix);
        _json.Reset(body);
        write(_json);
        _json.Flush();
        body.Write(EventEnd);
        await body.FlushAsync(cancellationToken);
    }

    public async ValueTask WriteDoneAsync(CancellationToken cancellationToken)
    {
        _response.BodyWriter.Write(Done);
        await _response.BodyWriter.FlushAsync(cancellationToken);
    }

    public void Dispose() => _json.Dispose();
}
