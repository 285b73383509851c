using System.Buffers;
using System.IO.Pipelines;

namespace Serverless.Functions.Protocol.Http;

/// <summary>
/// A request body read whole into a pooled buffer (<see cref="RequestBodyReader"/>), holding its share of
/// Inference:MaxBufferedRequestBytes until disposed, once the response is written.
/// </summary>
public sealed class RequestBody : IDisposable
{
    private byte[]? _buffer;
    private readonly RequestBodyBudget? _budget;
    private readonly long _reserved;

    internal RequestBody(byte[] buffer, int length, RequestBodyBudget? budget, long reserved)
    {
        _buffer = buffer;
        Length = length;
        _budget = budget;
        _reserved = reserved;
    }

    public int Length { get; }

    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, Length);

    public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(0, Length);

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
            _budget?.Release(_reserved);
        }
    }
}
