using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Serverless.LoadGenerator;

/// <summary>
/// Closed loop at fixed concurrency: each client sends its next request as soon as the previous one answers. A warm-up
/// window at the same load is sent and not counted first (the server's JIT tiering needs seconds of traffic: without
/// it the first server measured ran at half speed), then a fixed window is measured.
/// </summary>
public static class ClosedLoop
{
    public static async Task<int> RunAsync(LoadSettings settings)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = settings.Clients, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
        using var client = new HttpClient(handler) { BaseAddress = settings.Url, Timeout = TimeSpan.FromMinutes(2) };
        await RunClientsAsync(client, settings, settings.Warmup, latencies: null);
        var before = settings.StatsModel is { } model ? await StatsAsync(client, model) : default;
        var latencies = new List<double>[settings.Clients];
        var cpuBefore = ProcessCpu.Seconds(settings.ServerPid);
        var ownCpuBefore = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
        var started = Stopwatch.GetTimestamp();
        var errors = await RunClientsAsync(client, settings, settings.Duration, latencies);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var serverCpu = ProcessCpu.Seconds(settings.ServerPid) - cpuBefore;
        var ownCpu = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds - ownCpuBefore;
        var after = settings.StatsModel is { } m ? await StatsAsync(client, m) : default;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        double Percentile(double p) => all.Length == 0 ? double.NaN : all[Math.Min(all.Length - 1, (int)Math.Ceiling(p / 100 * all.Length) - 1)];
        var result = new Dictionary<string, object>
        {
            ["requests"] = all.Length,
            ["errors"] = errors,
            ["seconds"] = elapsed,
            ["per_second"] = all.Length / elapsed,
            ["p50_ms"] = Percentile(50),
            ["p99_ms"] = Percentile(99),
            ["rows"] = after.Rows - before.Rows,
            ["runs"] = after.Runs - before.Runs,
            ["server_cpu_us_per_request"] = all.Length == 0 ? double.NaN : serverCpu * 1e6 / all.Length,
            ["client_cpu_us_per_request"] = all.Length == 0 ? double.NaN : ownCpu * 1e6 / all.Length,
        };
        Console.WriteLine(JsonSerializer.Serialize(result, new JsonSerializerOptions { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals }));
        return 0;
    }

    /// <summary>Returns the count of answers other than 200 (not timed; the loop goes on).</summary>
    private static async Task<long> RunClientsAsync(HttpClient client, LoadSettings settings, TimeSpan duration, List<double>[]? latencies)
    {
        long errors = 0;
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, settings.Clients).Select(async i =>
        {
            var mine = new List<double>(1 << 16);
            while (Stopwatch.GetElapsedTime(started) < duration)
            {
                var t = Stopwatch.GetTimestamp();
                if (await SendAsync(client, settings))
                {
                    mine.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
                }
                else
                {
                    Interlocked.Increment(ref errors);
                }
            }
            if (latencies is not null)
            {
                latencies[i] = mine;
            }
        }));
        return errors;
    }

    private static async Task<bool> SendAsync(HttpClient client, LoadSettings settings)
    {
        using var content = new ByteArrayContent(settings.Body);
        content.Headers.ContentType = new(settings.HeaderLength is null ? "application/json" : "application/octet-stream");
        if (settings.HeaderLength is { } length)
        {
            content.Headers.Add("Inference-Header-Content-Length", length.ToString(CultureInfo.InvariantCulture));
        }
        using var request = new HttpRequestMessage(HttpMethod.Post, settings.Path) { Content = content };
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            await response.Content.CopyToAsync(Stream.Null);
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    /// <summary>Rows inferred and Runs executed so far (the statistics extension's inference_count and execution_count).</summary>
    private static async Task<(long Rows, long Runs)> StatsAsync(HttpClient client, string model)
    {
        using var stats = JsonDocument.Parse(await client.GetStringAsync($"/v2/models/{model}/stats"));
        var models = stats.RootElement.GetProperty("model_stats");
        return models.GetArrayLength() == 0
            ? (0, 0)
            : (models[0].GetProperty("inference_count").GetInt64(), models[0].GetProperty("execution_count").GetInt64());
    }
}
