// Run: dotnet run -c Release --project tests/Serverless.Benchmarks.Metering -- --seconds=10 --concurrency=256 --rounds=3
using System.Globalization;
using Serverless.Benchmarks.Metering;

// Requests per second through the real HTTP stack with metering off and on, in the same run. Rounds alternate
// (off, on, off, on, ...) so drift in the machine's speed hits both sides alike.
var settings = BenchmarkSettings.Parse(args);
Console.WriteLine($"model {settings.Model}, {settings.Concurrency} clients, {settings.Rounds} rounds of {settings.Seconds} s per side, store {(settings.Store == "sqlite" ? "sqlite" : "table")}");

await using var off = await BenchmarkServer.StartAsync(settings, metering: false);
await using var on = await BenchmarkServer.StartAsync(settings, metering: true);
// Warm-up: loads the model, fills connection pools and JITs both paths.
await LoadGenerator.RunAsync(off, settings.Model, settings.Concurrency, TimeSpan.FromSeconds(2));
await LoadGenerator.RunAsync(on, settings.Model, settings.Concurrency, TimeSpan.FromSeconds(2));

long offCalls = 0, onCalls = 0, failures = 0;
double offSeconds = 0, onSeconds = 0;
for (var round = 1; round <= settings.Rounds; round++)
{
    var a = await LoadGenerator.RunAsync(off, settings.Model, settings.Concurrency, TimeSpan.FromSeconds(settings.Seconds));
    var b = await LoadGenerator.RunAsync(on, settings.Model, settings.Concurrency, TimeSpan.FromSeconds(settings.Seconds));
    (offCalls, offSeconds, onCalls, onSeconds) = (offCalls + a.Calls, offSeconds + a.Elapsed.TotalSeconds, onCalls + b.Calls, onSeconds + b.Elapsed.TotalSeconds);
    failures += a.Failures + b.Failures;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"round {round}: metering off {a.PerSecond,9:F0} req/s   on {b.PerSecond,9:F0} req/s   ({b.PerSecond / a.PerSecond:P1})"));
}

var offRate = offCalls / offSeconds;
var onRate = onCalls / onSeconds;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"total:   metering off {offRate,9:F0} req/s   on {onRate,9:F0} req/s   on/off = {onRate / offRate:F3}   cost = {1 - onRate / offRate:P1} (target < 10%)"));
Console.WriteLine(await on.LedgerSummaryAsync());
if (failures > 0)
{
    Console.WriteLine($"{failures} calls failed");
    return 1;
}
return 0;
