using System.Buffers;
using System.IO.Pipelines;
using Microsoft.Extensions.Options;
using Serverless.Core.Errors;
using Serverless.Core.Metering;
using Serverless.Functions.Hosting;
using Serverless.Functions.Metering;

namespace Serverless.Functions.Protocol.Http;

/// <summary>
/// Reads a request body whole into a pooled buffer within Inference:MaxRequestBytes (413 past it) and within
/// Inference:MaxBufferedRequestBytes and its per-caller share across requests (503 with Retry-After past them),
/// draining what it refuses. A body Kestrel cannot frame is a 400.
/// </summary>
public sealed class RequestBodyReader(IOptions<RequestBodyOptions> options, RequestBodyBudget budget, RefusedBodyDrain drain)
{
    // A chunked body's reservation grows by at least this much at a time, so small bodies cost one reservation.
    private const long ReservationStep = 64 * 1024;

    public Task<RequestBody> ReadAsync(HttpContext context, CancellationToken cancellationToken) =>
        ReadAsync(context, options.Value.MaxRequestBytes, "Inference:MaxRequestBytes", budget.Open(BudgetHolder(context)), drain.DrainAsync, cancellationToken);

    /// <summary>
    /// A body under a route's own, smaller limit (the text routes' <c>OpenAi:MaxRequestBytes</c>), in the same budget as
    /// inference bodies: Kestrel's server-wide limit stays Inference:MaxRequestBytes.
    /// </summary>
    public Task<RequestBody> ReadAsync(HttpContext context, int maxBytes, string limit, CancellationToken cancellationToken) =>
        ReadAsync(context, Math.Min(maxBytes, options.Value.MaxRequestBytes), limit, budget.Open(BudgetHolder(context)), drain.DrainAsync, cancellationToken);

    /// <summary>
    /// Whose share of the budget a body takes: the caller authentication resolved (it runs before any body is read),
    /// or for anonymous calls (and with metering off) the client's address, so strangers do not share one share.
    /// </summary>
    private static string BudgetHolder(HttpContext context)
    {
        var caller = context.GetCaller();
        return caller.CallerId == CallerId.Anonymous && caller.KeyId is null
            ? $"{CallerId.Anonymous}@{context.Connection.RemoteIpAddress}"
            : caller.CallerId;
    }

    /// <param name="limit">What sets <paramref name="maxBytes"/>, for the 413's message.</param>
    /// <param name="reservation">Where the body's bytes are reserved, taken over by the body; null reserves nothing (small bodies).</param>
    /// <param name="drain">Reads the rest of a refused body, given how much was read already.</param>
    internal static async Task<RequestBody> ReadAsync(HttpContext context, int maxBytes, string limit, RequestBodyReservation? reservation,
        Func<HttpContext, long, Task> drain, CancellationToken cancellationToken)
    {
        var request = context.Request;
        byte[]? array = null;
        var length = 0;
        try
        {
            if (request.ContentLength > maxBytes)
            {
                await drain(context, 0);
                throw new RequestTooLargeException($"request body of {request.ContentLength} bytes is larger than the {maxBytes} bytes {limit} allows");
            }
            if (reservation is not null && request.ContentLength is { } declared)
            {
                try
                {
                    reservation.Grow(declared);
                }
                catch (ServerBusyException)
                {
                    await drain(context, 0);
                    throw;
                }
            }
            var reader = request.BodyReader;
            while (true)
            {
                var result = await ReadFramedAsync(context, reader, cancellationToken);
                var buffer = result.Buffer;
                var total = length + buffer.Length;
                if (total > maxBytes)
                {
                    reader.AdvanceTo(buffer.End);
                    if (!result.IsCompleted)
                    {
                        await drain(context, total);
                    }
                    throw new RequestTooLargeException($"request body is larger than the {maxBytes} bytes {limit} allows");
                }
                if (reservation is not null && total > reservation.Bytes)
                {
                    // Only a body without Content-Length gets here: reserve ahead of what it has sent so far.
                    var reserved = reservation.Bytes;
                    var more = Math.Min(maxBytes, Math.Max(total, Math.Max(reserved * 2, ReservationStep))) - reserved;
                    try
                    {
                        reservation.Grow(more);
                    }
                    catch (ServerBusyException)
                    {
                        reader.AdvanceTo(buffer.End);
                        if (!result.IsCompleted)
                        {
                            await drain(context, total);
                        }
                        throw;
                    }
                }
                // Copied out as it arrives, so the connection's buffers are freed at once: a body is held once, not
                // twice (measured: twelve 60 MiB uploads held 2x their bytes while Kestrel's pipe kept them too).
                if (array is null || total > array.Length)
                {
                    var grown = ArrayPool<byte>.Shared.Rent((int)Math.Max(Math.Max(total, 1), Math.Min(maxBytes, Math.Max(request.ContentLength ?? 0, (array?.Length ?? 0) * 2L))));
                    if (array is not null)
                    {
                        array.AsSpan(0, length).CopyTo(grown);
                        ArrayPool<byte>.Shared.Return(array);
                    }
                    array = grown;
                }
                buffer.CopyTo(array.AsSpan(length));
                length = (int)total;
                reader.AdvanceTo(buffer.End);
                if (result.IsCompleted)
                {
                    var body = new RequestBody(array, length, reservation);
                    array = null;
                    return body;
                }
            }
        }
        catch
        {
            // Returned at once: a refused, cut-off or timed-out body holds nothing of the budget while it is answered.
            reservation?.Dispose();
            if (array is not null)
            {
                ArrayPool<byte>.Shared.Return(array);
            }
            throw;
        }
    }

    /// <summary>
    /// One read of the body. Kestrel reports a chunk size it cannot parse (2^31 or more overflows its int) as an
    /// IOException from the body's reader: the client's framing, never our disk, so a 400 naming it.
    /// </summary>
    private static async ValueTask<ReadResult> ReadFramedAsync(HttpContext context, PipeReader reader, CancellationToken cancellationToken)
    {
        try
        {
            return await reader.ReadAsync(cancellationToken);
        }
        catch (IOException e) when (e is not BadHttpRequestException)
        {
            // Kestrel's own request errors (an IOException too) keep their status in EndpointPipeline. The rest of the
            // connection's bytes cannot be framed either: it closes after the answer.
            RefusedBodyDrain.CloseAfterAnswer(context);
            var detail = e.InnerException is OverflowException ? " (a chunk size of 2^31 bytes or more)" : "";
            throw new RequestBodyFramingException($"request body is not valid HTTP/1.1 framing: {e.Message}{detail}", e);
        }
    }
}
