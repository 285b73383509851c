using System.Globalization;

namespace Serverless.LoadGenerator;

/// <summary>What one closed-loop run sends, read from <c>--name value</c> pairs.</summary>
public sealed class LoadSettings
{
    public LoadSettings(string[] args)
    {
        string? Get(string name) => args.SkipWhile(a => a != "--" + name).Skip(1).FirstOrDefault();
        double Number(string name, double fallback) => Get(name) is { } v ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;
        Url = new Uri(Get("url") ?? throw new ArgumentException("--url is required"));
        Path = Get("path") ?? throw new ArgumentException("--path is required");
        Body = File.ReadAllBytes(Get("body") ?? throw new ArgumentException("--body is required"));
        Clients = (int)Number("clients", 1);
        Duration = TimeSpan.FromSeconds(Number("seconds", 5));
        Warmup = TimeSpan.FromSeconds(Number("warmup-seconds", 2));
        HeaderLength = Get("header-length") is { } h ? int.Parse(h, CultureInfo.InvariantCulture) : null;
        StatsModel = Get("stats-model");
        ServerPid = Get("server-pid") is { } pid ? int.Parse(pid, CultureInfo.InvariantCulture) : null;
    }

    public Uri Url { get; }
    public string Path { get; }
    public byte[] Body { get; }
    public int Clients { get; }
    public TimeSpan Duration { get; }
    public TimeSpan Warmup { get; }

    /// <summary>Binary tensor requests: the JSON header's length, sent as Inference-Header-Content-Length.</summary>
    public int? HeaderLength { get; }

    /// <summary>When set, rows and Runs are read from <c>/v2/models/{model}/stats</c> before and after the measured window.</summary>
    public string? StatsModel { get; }

    /// <summary>When set (Linux), the server's CPU time over the measured window, per request: steadier than req/s on a shared machine.</summary>
    public int? ServerPid { get; }
}
