using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace Serverless.Benchmarks;

/// <summary>Closed-loop load: each client sends the next request as soon as the previous one answers.</summary>
public static class HttpLoad
{
    /// <param name="inferenceHeaderLength">For binary tensor requests: the JSON header's length, sent as Inference-Header-Content-Length.</param>
    public static async Task<LatencyRecorder> RunAsync(Uri address, string path, byte[] body, int clients, TimeSpan duration, int? inferenceHeaderLength = null)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = clients, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
        using var client = new HttpClient(handler) { BaseAddress = address };
        await SendAsync(client, path, body, inferenceHeaderLength); // first call may load the model; not measured
        // A second of the same load first, not measured: the JIT's tiering, connection pools and background work
        // of a first load (the optimized-graph save) would otherwise count against whichever row runs first.
        await RunClientsAsync(client, path, body, clients, TimeSpan.FromSeconds(1), inferenceHeaderLength, null);
        var recorder = new LatencyRecorder();
        // Counted in-process, so the allocations of this load client are included; compare with the HTTP floor row.
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var started = Stopwatch.GetTimestamp();
        await RunClientsAsync(client, path, body, clients, duration, inferenceHeaderLength, recorder);
        recorder.Elapsed = Stopwatch.GetElapsedTime(started);
        recorder.AllocatedBytes = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        return recorder;
    }

    private static async Task RunClientsAsync(HttpClient client, string path, byte[] body, int clients, TimeSpan duration, int? inferenceHeaderLength, LatencyRecorder? recorder)
    {
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
        {
            while (Stopwatch.GetElapsedTime(started) < duration)
            {
                var t = Stopwatch.GetTimestamp();
                await SendAsync(client, path, body, inferenceHeaderLength);
                recorder?.Record(t);
            }
        }));
    }

    public static async Task SendAsync(HttpClient client, string path, byte[] body, int? inferenceHeaderLength = null)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new(inferenceHeaderLength is null ? "application/json" : "application/octet-stream");
        if (inferenceHeaderLength is { } length)
        {
            content.Headers.Add("Inference-Header-Content-Length", length.ToString(CultureInfo.InvariantCulture));
        }
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        // Streamed, not buffered: the client should add as few allocations to the in-process count as it can.
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"{path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
        await response.Content.CopyToAsync(Stream.Null);
    }
}
