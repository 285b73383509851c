using System.Buffers;
using System.IO.Pipelines;
using Serverless.Core.Inference;

namespace Serverless.Functions.Protocol.Http;

/// <summary>
/// A request body read whole into a pooled buffer (<see cref="RequestBodyReader"/>), holding its share of
/// Inference:MaxBufferedRequestBytes (<see cref="RequestBodyReservation"/>) until disposed, once the response is written.
/// </summary>
public sealed class RequestBody : IDisposable
{
    private byte[]? _buffer;
    private readonly RequestBodyReservation? _reservation;

    internal RequestBody(byte[] buffer, int length, RequestBodyReservation? reservation)
    {
        _buffer = buffer;
        Length = length;
        _reservation = reservation;
    }

    public int Length { get; }

    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, Length);

    public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(0, Length);

    /// <summary>
    /// Where the tensors decoded from this body are rented: counted in the body's reservation, since they cost as much
    /// memory as the body again or more. Dispose them before the body.
    /// </summary>
    public PooledTensorBuffers NewTensorBuffers() => new(_reservation is null ? null : new RequestBodyTensorPool(_reservation));

    /// <summary>
    /// A small body outside the inference budget (a job submission): read whole up to <paramref name="maxBytes"/>; past
    /// it the rest is drained up to Kestrel's server-wide limit, then 413.
    /// </summary>
    public static Task<RequestBody> ReadAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken) =>
        RequestBodyReader.ReadAsync(request.HttpContext, maxBytes, "this endpoint", null, (context, _) => DrainAsync(context.Request.BodyReader, cancellationToken), cancellationToken);

    private static async Task DrainAsync(PipeReader reader, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(cancellationToken);
                reader.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    return;
                }
            }
        }
        catch (IOException)
        {
            // Past Kestrel's limit too (its BadHttpRequestException is an IOException), or framing it cannot follow:
            // stop reading; the connection closes after the answer.
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _buffer, null) is { } buffer)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            _reservation?.Dispose();
        }
    }
}
