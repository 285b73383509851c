using System.Buffers;
using Microsoft.Extensions.Options;
using Serverless.Core.Errors;
using Serverless.Functions.Hosting;

namespace Serverless.Functions.Protocol.Http;

/// <summary>
/// Reads a request body whole into a pooled buffer within Inference:MaxRequestBytes (413 past it) and within
/// Inference:MaxBufferedRequestBytes across requests (503 with Retry-After past it), draining what it refuses.
/// </summary>
public sealed class RequestBodyReader(IOptions<RequestBodyOptions> options, RequestBodyBudget budget, RefusedBodyDrain drain)
{
    // A chunked body's reservation grows by at least this much at a time, so small bodies cost one reservation.
    private const long ReservationStep = 64 * 1024;

    public Task<RequestBody> ReadAsync(HttpContext context, CancellationToken cancellationToken) =>
        ReadAsync(context, options.Value.MaxRequestBytes, "Inference:MaxRequestBytes", budget, drain.DrainAsync, cancellationToken);

    /// <param name="limit">What sets <paramref name="maxBytes"/>, for the 413's message.</param>
    /// <param name="budget">The bytes to reserve from; null reserves nothing (small bodies).</param>
    /// <param name="drain">Reads the rest of a refused body, given how much was read already.</param>
    internal static async Task<RequestBody> ReadAsync(HttpContext context, int maxBytes, string limit, RequestBodyBudget? budget,
        Func<HttpContext, long, Task> drain, CancellationToken cancellationToken)
    {
        var request = context.Request;
        if (request.ContentLength > maxBytes)
        {
            await drain(context, 0);
            throw new RequestTooLargeException($"request body of {request.ContentLength} bytes is larger than the {maxBytes} bytes {limit} allows");
        }
        long reserved = 0;
        byte[]? array = null;
        var length = 0;
        try
        {
            if (budget is not null && request.ContentLength is { } declared)
            {
                if (!budget.TryReserve(declared))
                {
                    await drain(context, 0);
                    throw budget.Full(declared);
                }
                reserved = declared;
            }
            var reader = request.BodyReader;
            while (true)
            {
                var result = await reader.ReadAsync(cancellationToken);
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
                if (budget is not null && total > reserved)
                {
                    // Only a body without Content-Length gets here: reserve ahead of what it has sent so far.
                    var more = Math.Min(maxBytes, Math.Max(total, Math.Max(reserved * 2, ReservationStep))) - reserved;
                    if (!budget.TryReserve(more))
                    {
                        reader.AdvanceTo(buffer.End);
                        if (!result.IsCompleted)
                        {
                            await drain(context, total);
                        }
                        throw budget.Full(more);
                    }
                    reserved += more;
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
                    var body = new RequestBody(array, length, budget, reserved);
                    array = null;
                    return body;
                }
            }
        }
        catch
        {
            budget?.Release(reserved);
            if (array is not null)
            {
                ArrayPool<byte>.Shared.Return(array);
            }
            throw;
        }
    }
}
