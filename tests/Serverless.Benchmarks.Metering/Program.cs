// Run: dotnet run -c Release --project tests/Serverless.Benchmarks.Metering -- --seconds=10 --concurrency=256 --rounds=3 [--breakdown]
using System.Globalization;
using Serverless.Benchmarks.Metering;

// Requests per second through the real HTTP stack with metering off and on, in the same run. Rounds alternate
// (off, on, off, on, ...) so drift in the machine's speed hits both sides alike. The load generator runs in this
// process too, so the CPU time per call (this process's, client included) is shown next to the rate: on a busy
// machine it is the steadier measure of what metering adds.
var settings = BenchmarkSettings.Parse(args);
Console.WriteLine($"model {settings.Model}, {settings.Concurrency} clients, {settings.Rounds} rounds of {settings.Seconds} s per row, store {(settings.Store == "sqlite" ? "sqlite" : "table")}, {Environment.ProcessorCount} cores");

List<BenchmarkVariant> variants = [BenchmarkVariant.Off, BenchmarkVariant.On, .. settings.Breakdown ? BenchmarkVariant.Breakdown : []];
var servers = new List<BenchmarkServer>();
try
{
    foreach (var variant in variants)
    {
        servers.Add(await BenchmarkServer.StartAsync(settings, variant));
    }
    // Warm-up: loads the model, fills connection pools and JITs every path. A full round each, not counted: after 2 s
    // each, the first measured round of whichever server ran first was still half as fast as the later rounds (11k vs
    // 22k calls/s), which made metering look cheaper than it is.
    var warmup = "warm-up:";
    foreach (var server in servers)
    {
        var result = await LoadGenerator.RunAsync(server, settings.Model, settings.Concurrency, TimeSpan.FromSeconds(settings.Seconds));
        warmup += string.Create(CultureInfo.InvariantCulture, $"  {result.PerSecond:F0} req/s");
    }
    Console.WriteLine(warmup + " (not counted)");

    var totals = variants.Select(_ => new LoadGenerator.Result(0, 0, TimeSpan.Zero, TimeSpan.Zero)).ToArray();
    for (var round = 1; round <= settings.Rounds; round++)
    {
        var line = $"round {round}:";
        for (var i = 0; i < servers.Count; i++)
        {
            var result = await LoadGenerator.RunAsync(servers[i], settings.Model, settings.Concurrency, TimeSpan.FromSeconds(settings.Seconds));
            totals[i] += result;
            line += string.Create(CultureInfo.InvariantCulture, $"  {variants[i].Name} {result.PerSecond:F0} req/s");
        }
        Console.WriteLine(line);
    }

    var off = totals[0];
    for (var i = 0; i < servers.Count; i++)
    {
        var t = totals[i];
        var line = string.Create(CultureInfo.InvariantCulture, $"{variants[i].Name,-34} {t.PerSecond,8:F0} req/s  {t.CpuMicrosecondsPerCall,6:F0} cpu-us/call");
        if (i > 0)
        {
            line += string.Create(CultureInfo.InvariantCulture,
                $"  on/off = {t.PerSecond / off.PerSecond:F3}  cost = {1 - t.PerSecond / off.PerSecond,6:P1}  (+{t.CpuMicrosecondsPerCall - off.CpuMicrosecondsPerCall:F0} cpu-us/call)");
        }
        Console.WriteLine(line);
    }
    for (var i = 0; i < servers.Count; i++)
    {
        if (variants[i].Metering)
        {
            Console.WriteLine($"{variants[i].Name}: ledger: {servers[i].LedgerSummary()}");
        }
    }
    Console.WriteLine("target: cost of \"on\" < 10%");
    var failures = totals.Sum(t => t.Failures);
    if (failures > 0)
    {
        Console.WriteLine($"{failures} calls failed");
        return 1;
    }
    return 0;
}
finally
{
    foreach (var server in servers)
    {
        await server.DisposeAsync();
    }
}
