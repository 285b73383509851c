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

    public static async Task<RequestBody> ReadAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            throw new RequestTooLargeException($"request body of {request.ContentLength} bytes is larger than the {maxBytes} bytes Inference:MaxRequestBytes allows");
        }
        PipeReader reader = request.BodyReader;
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            if (buffer.Length > maxBytes)
            {
                reader.AdvanceTo(buffer.Start, buffer.End);
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

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _buffer, null) is { } buffer)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
