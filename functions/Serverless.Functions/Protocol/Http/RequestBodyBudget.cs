using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Serverless.Core.Errors;
using Serverless.Functions.Hosting;

namespace Serverless.Functions.Protocol.Http;

/// <summary>
/// Inference:MaxBufferedRequestBytes: the bytes of request bodies (and the tensors decoded from JSON ones) all requests
/// in flight may hold at once, and Inference:MaxBufferedRequestBytesPerCaller: the part of it one caller may hold, so
/// one caller's uploads (slow ones above all) cannot take the whole of it from everyone else. A request reserves its
/// bytes before they are buffered (<see cref="RequestBodyReservation"/>) and returns them when it is answered, so
/// uploads cannot grow memory without bound.
/// </summary>
public sealed class RequestBodyBudget(IOptions<RequestBodyOptions> options)
{
    private readonly ConcurrentDictionary<string, long> _byCaller = new(StringComparer.Ordinal);
    private long _reserved;

    /// <summary>The cap in effect: at least one largest body always fits when nothing else is buffered.</summary>
    public long Capacity { get; } = options.Value.EffectiveMaxBufferedRequestBytes;

    /// <summary>One caller's cap in effect: at least one largest body, at most <see cref="Capacity"/>.</summary>
    public long CallerCapacity { get; } = options.Value.EffectiveMaxBufferedRequestBytesPerCaller;

    public long Reserved => Interlocked.Read(ref _reserved);

    /// <summary>What <paramref name="caller"/> holds now.</summary>
    public long ReservedBy(string caller) => _byCaller.TryGetValue(caller, out var bytes) ? bytes : 0;

    /// <summary>A reservation for one request of <paramref name="caller"/>, holding nothing yet.</summary>
    public RequestBodyReservation Open(string caller) => new(this, caller);

    /// <summary>
    /// Reserves <paramref name="bytes"/> more for <paramref name="caller"/>; null when they fit, else the 503 that
    /// names the cap they would break (reserving nothing).
    /// </summary>
    internal ServerBusyException? TryReserve(string caller, long bytes)
    {
        if (!TryAdd(ref _reserved, bytes, Capacity))
        {
            return new ServerBusyException(
                $"request bodies in flight hold {Reserved} of the {Capacity} bytes Inference:MaxBufferedRequestBytes allows, and this one needs {bytes} more; retry shortly");
        }
        var held = 0L;
        var fits = true;
        _byCaller.AddOrUpdate(caller, bytes, (_, current) =>
        {
            held = current;
            fits = current + bytes <= CallerCapacity;
            return fits ? current + bytes : current;
        });
        if (!fits)
        {
            Interlocked.Add(ref _reserved, -bytes);
            return new ServerBusyException(
                $"this caller's request bodies in flight hold {held} of the {CallerCapacity} bytes Inference:MaxBufferedRequestBytesPerCaller allows one caller, and this one needs {bytes} more; retry once they are answered");
        }
        return null;
    }

    /// <summary>Reserves <paramref name="bytes"/> past the caps: memory already taken (a pooled array's rounding up).</summary>
    internal void Add(string caller, long bytes)
    {
        Interlocked.Add(ref _reserved, bytes);
        _byCaller.AddOrUpdate(caller, bytes, (_, current) => current + bytes);
    }

    internal void Release(string caller, long bytes)
    {
        if (bytes == 0)
        {
            return;
        }
        Interlocked.Add(ref _reserved, -bytes);
        var left = _byCaller.AddOrUpdate(caller, 0, (_, current) => current - bytes);
        if (left == 0)
        {
            // Callers come and go: an idle one keeps no entry (unless it reserved again in between, which keeps it).
            _byCaller.TryRemove(KeyValuePair.Create(caller, 0L));
        }
    }

    private static bool TryAdd(ref long reserved, long bytes, long capacity)
    {
        var current = Interlocked.Read(ref reserved);
        while (current + bytes <= capacity)
        {
            var seen = Interlocked.CompareExchange(ref reserved, current + bytes, current);
            if (seen == current)
            {
                return true;
            }
            current = seen;
        }
        return false;
    }
}
