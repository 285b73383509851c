using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Serverless.Functions.Hosting;

namespace Serverless.Functions.Protocol.Http;

/// <summary>
/// Reads and discards the rest of a body the service refuses, before the refusal is written, as nginx's lingering
/// close does. A client that sends its whole body before reading the response (Python's urllib, tritonclient's HTTP
/// client) would otherwise meet a closed socket: closing with unread bytes makes TCP send a reset, and the client
/// reports a broken pipe instead of the 413. Bounded by Inference:RefusedBodyDrainBytes and
/// Inference:RefusedBodyDrainSeconds; a client still sending after either is cut off (Connection: close).
/// </summary>
public sealed class RefusedBodyDrain(IOptions<RequestBodyOptions> options)
{
    private readonly RequestBodyOptions _options = options.Value;

    // The most of a refused body ever read: the limit plus the drain's bytes (saturating, for a drain cap of long.MaxValue).
    private readonly long _mostRead = options.Value.MaxRequestBytes + Math.Min(options.Value.RefusedBodyDrainBytes, long.MaxValue - options.Value.MaxRequestBytes);

    /// <summary>
    /// Call before anything reads the body: lets Kestrel accept the drain's bytes past Inference:MaxRequestBytes for this
    /// request only (its server-wide limit is Inference:MaxRequestBytes itself, and a read past it cuts the connection).
    /// </summary>
    public void Allow(HttpContext context)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = _mostRead;
        }
    }

    /// <param name="alreadyRead">Bytes of the body the caller has read already (they count toward the cap).</param>
    public async Task DrainAsync(HttpContext context, long alreadyRead)
    {
        var request = context.Request;
        if (alreadyRead == 0 && request.Headers.Expect.ToString().Equals("100-continue", StringComparison.OrdinalIgnoreCase))
        {
            // The client waits for "100 Continue" before it sends anything; reading would only invite the body to discard it.
            CloseAfterAnswer(context);
            return;
        }
        var reader = request.BodyReader;
        // The time limit ends the pending read with CancelPendingRead rather than a cancellation token: a body read
        // cancelled by a token leaves Kestrel's message body "reading", and its own end-of-request read then fails
        // with "Reading is already in progress" (logged for every refused slow body).
        await using var timeout = new Timer(static state => ((PipeReader)state!).CancelPendingRead(), reader,
            TimeSpan.FromSeconds(_options.RefusedBodyDrainSeconds), Timeout.InfiniteTimeSpan);
        var drained = alreadyRead;
        try
        {
            while (drained <= _mostRead)
            {
                var result = await reader.ReadAsync(context.RequestAborted);
                drained += result.Buffer.Length;
                reader.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    return;
                }
                if (result.IsCanceled)
                {
                    // Out of time: the answer goes out now and the connection closes after it.
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return;
        }
        catch (IOException)
        {
            // Past Kestrel's per-request limit or below its minimum data rate (BadHttpRequestException, an IOException),
            // or framing it cannot follow: it cuts the connection itself.
        }
        CloseAfterAnswer(context);
    }

    // Response.Clear (the error writer's) drops headers but not OnStarting callbacks. Without keep-alive Kestrel does
    // not drain the rest itself (it would for another 5 s), so the cut is where the caps put it.
    internal static void CloseAfterAnswer(HttpContext context) =>
        context.Response.OnStarting(static state =>
        {
            ((HttpResponse)state).Headers.Connection = "close";
            return Task.CompletedTask;
        }, context.Response);
}
