using Microsoft.Extensions.Options;
using Serverless.Core.Errors;
using Serverless.Functions.Hosting;

namespace Serverless.Functions.Protocol.Http;

/// <summary>
/// Inference:MaxBufferedRequestBytes: the bytes of request bodies all requests in flight may hold at once. A body
/// reserves its bytes before they are buffered (all of a declared Content-Length at once, a chunked body as it grows)
/// and returns them when its request is answered, so uploads cannot grow memory without bound.
/// </summary>
public sealed class RequestBodyBudget(IOptions<RequestBodyOptions> options)
{
    private long _reserved;

    /// <summary>The cap in effect: at least one largest body always fits when nothing else is buffered.</summary>
    public long Capacity { get; } = Math.Max(options.Value.MaxBufferedRequestBytes, options.Value.MaxRequestBytes);

    public long Reserved => Interlocked.Read(ref _reserved);

    /// <summary>Reserves <paramref name="bytes"/> more; false, reserving nothing, when they do not fit.</summary>
    public bool TryReserve(long bytes)
    {
        var current = Interlocked.Read(ref _reserved);
        while (current + bytes <= Capacity)
        {
            var seen = Interlocked.CompareExchange(ref _reserved, current + bytes, current);
            if (seen == current)
            {
                return true;
            }
            current = seen;
        }
        return false;
    }

    /// <summary>The 503 for a body whose <paramref name="bytes"/> did not fit.</summary>
    public ServerBusyException Full(long bytes) => new(
        $"request bodies in flight hold {Reserved} of the {Capacity} bytes Inference:MaxBufferedRequestBytes allows, and this one needs {bytes} more; retry shortly");

    public void Release(long bytes) => Interlocked.Add(ref _reserved, -bytes);
}
