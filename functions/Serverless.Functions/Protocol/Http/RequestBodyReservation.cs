using Serverless.Core.Errors;

namespace Serverless.Functions.Protocol.Http;

/// <summary>
/// What one request holds of the <see cref="RequestBodyBudget"/>: its body's bytes, then the tensors decoded from a
/// JSON body (<see cref="RequestBodyTensorPool"/>). Everything is returned at once when it is disposed, once the
/// response is written or the request refused.
/// </summary>
public sealed class RequestBodyReservation : IDisposable
{
    private readonly RequestBodyBudget _budget;
    private readonly string _caller;
    private long _bytes;

    internal RequestBodyReservation(RequestBodyBudget budget, string caller)
    {
        _budget = budget;
        _caller = caller;
    }

    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Reserves <paramref name="bytes"/> more, or throws the 503 that names the cap they would break.</summary>
    public void Grow(long bytes)
    {
        if (_budget.TryReserve(_caller, bytes) is { } full)
        {
            throw full;
        }
        Interlocked.Add(ref _bytes, bytes);
    }

    /// <summary>Counts <paramref name="bytes"/> already taken (a pooled array larger than asked for), whatever the caps.</summary>
    internal void Add(long bytes)
    {
        _budget.Add(_caller, bytes);
        Interlocked.Add(ref _bytes, bytes);
    }

    public void Dispose() => _budget.Release(_caller, Interlocked.Exchange(ref _bytes, 0));
}
