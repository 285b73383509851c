using System.Buffers;
using System.IO.Pipelines;
using Serverless.Core.Errors;

namespace Serverless.Functions.Protocol.Http;

/// <summary>A request body read whole into a pooled buffer, refused as soon as it passes the size limit.</summary>
public sealed class RequestBody : IDisposable
{
    private byte[]? _buffer;

    private RequestBody(byte[] buffer, int length)
    {
        _buffer = buffer;
        Length = length;
    }

    public int Length { get; }

    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, Length);

    public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(0, Length);

    /// <summary>
    /// How far past the limit a refused body is still read (and discarded) before answering 413. Closing a socket
    /// with unread bytes makes TCP send a reset, which clients report instead of the 413; Kestrel's own limit is set
    /// this much higher so the drain can finish.
    /// </summary>
    public const int DrainAllowanceBytes = 1 << 20;

    public static async Task<RequestBody> ReadAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        PipeReader reader = request.BodyReader;
        if (request.ContentLength > maxBytes)
        {
            await DrainAsync(reader, cancellationToken);
            throw new RequestTooLargeException($"request body of {request.ContentLength} bytes is larger than the {maxBytes} bytes Inference:MaxRequestBytes allows");
        }
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            if (buffer.Length > maxBytes)
            {
                reader.AdvanceTo(buffer.End);
                if (!result.IsCompleted)
                {
                    await DrainAsync(reader, cancellationToken);
                }
                throw new RequestTooLargeException($"request body is larger than the {maxBytes} bytes Inference:MaxRequestBytes allows");
            }
            if (result.IsCompleted)
            {
                var length = (int)buffer.Length;
                var array = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
                buffer.CopyTo(array);
                reader.AdvanceTo(buffer.End);
                return new RequestBody(array, length);
            }
            // Keep everything: the body is parsed only once it is complete.
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

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
        catch (BadHttpRequestException)
        {
            // Past Kestrel's limit too: stop reading; the connection closes after the 413.
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _buffer, null) is { } buffer)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
