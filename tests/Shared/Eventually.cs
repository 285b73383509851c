using System.Diagnostics;

namespace Serverless.Testing;

/// <summary>
/// The one way tests wait for something that happens in the background (a file saved, a job finished, a model
/// loaded, a child process listening): poll a condition until it holds or a deadline passes, and fail naming what
/// never happened. The deadline only bounds a broken run; no test relies on it to pass. Compiled into every test
/// project (see Azurite.targets and the unit project's file).
/// </summary>
public static class Eventually
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Polls <paramref name="probe"/> until it returns a value; throws naming <paramref name="what"/> after <paramref name="timeout"/>.</summary>
    /// <param name="interval">The pause between probes: 20 ms unless a probe is costly (a process or a storage query).</param>
    public static async Task<T> ValueAsync<T>(Func<Task<T?>> probe, string what, TimeSpan? timeout = null, TimeSpan? interval = null) where T : class
    {
        var limit = timeout ?? DefaultTimeout;
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }
            if (Stopwatch.GetElapsedTime(started) > limit)
            {
                throw new TimeoutException($"{what} did not happen within {limit.TotalSeconds:0.#} s");
            }
            await Task.Delay(interval ?? Interval);
        }
    }

    /// <summary>Polls <paramref name="condition"/> until it holds; throws naming <paramref name="what"/> after <paramref name="timeout"/>.</summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null, TimeSpan? interval = null) =>
        await ValueAsync<string>(async () => await condition() ? "" : null, what, timeout, interval);

    public static Task TrueAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        TrueAsync(() => Task.FromResult(condition()), what, timeout);
}
