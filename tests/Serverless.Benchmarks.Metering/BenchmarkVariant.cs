namespace Serverless.Benchmarks.Metering;

/// <summary>
/// One server configuration the benchmark measures: metering off, on as shipped, or on with one piece switched
/// off (the --breakdown rows), so the cost of each piece is the difference to the full row in the same run.
/// </summary>
public sealed record BenchmarkVariant(string Name, bool Metering, bool SendKey = true, bool DiscardRecords = false, params string[] Settings)
{
    public static BenchmarkVariant Off { get; } = new("off", Metering: false, SendKey: false);

    public static BenchmarkVariant On { get; } = new("on", Metering: true);

    /// <summary>On, one piece at a time taken out.</summary>
    public static IReadOnlyList<BenchmarkVariant> Breakdown { get; } =
    [
        new("on, no key (anonymous, no auth)", Metering: true, SendKey: false, Settings: "--Metering:RequireKey=false"),
        new("on, no model concurrency limit", Metering: true, Settings: "--Metering:ModelConcurrency=0"),
        new("on, store discards records", Metering: true, DiscardRecords: true),
        new("on, flush interval 1", Metering: true, Settings: "--Metering:FlushIntervalMilliseconds=1"),
        new("on, flush interval 2", Metering: true, Settings: "--Metering:FlushIntervalMilliseconds=2"),
    ];
}
