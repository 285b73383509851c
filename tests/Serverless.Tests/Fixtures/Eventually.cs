namespace Serverless.Tests.Fixtures;

/// <summary>
/// The one way tests wait for something the server does in the background (a file saved, a job finished, a model
/// loaded): poll a condition until it holds or a deadline passes, and fail naming what never happened.
/// </summary>
public static class Eventually
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(20);

    /// <summary>Polls <paramref name="probe"/> until it returns a value; throws naming <paramref name="what"/> after <paramref name="timeout"/>.</summary>
    public static async Task<T> ValueAsync<T>(Func<Task<T?>> probe, string what, TimeSpan? timeout = null) where T : class
    {
        var limit = timeout ?? TimeSpan.FromSeconds(30);
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{what} did not happen within {limit.TotalSeconds:0.#} s");
            }
            await Task.Delay(Interval);
        }
    }

    public static Task<T> ValueAsync<T>(Func<T?> probe, string what, TimeSpan? timeout = null) where T : class =>
        ValueAsync(() => Task.FromResult(probe()), what, timeout);

    public static async Task TrueAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        await ValueAsync(() => condition() ? "" : null, what, timeout);
}
